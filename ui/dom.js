// Tiny DOM helpers. Text always goes in as text nodes, never parsed as HTML: API data cannot inject markup.
const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** h('p', {class: 'x'}, 'text', otherNode, [more]) */
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
export const s = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);

export const badge = (text, kind = text) => h('span', { class: `badge badge-${kind}` }, text);

export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** How long ago, coarse: "42 s ago", "7 min ago", "3 h ago", "2 d ago". */
export function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return s < 172_800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86_400)} d ago`;
}

/** Relative and local, for a time people act on: "7 min ago (05/12/2026, 18:02:11)". */
export const whenAgo = (iso) => (iso ? `${ago(iso)} (${when(iso)})` : '');

export function fmt(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 2 ** 30).toFixed(2)} Gi`;
  if (a >= 1e6) return `${(x / 2 ** 20).toFixed(1)} Mi`;
  if (a >= 1000) return x.toFixed(0);
  return String(Number(x.toPrecision(3)));
}

/** namespace/pod/container … as one readable line. */
export const labelText = (labels) =>
  Object.entries(labels ?? {})
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`)
    .join(' · ');

/**
 * Fills `body` with what `load()` returns (nodes or arrays of them), marked busy meanwhile; a failure
 * shows its message there and goes to `report` (the page's live region).
 */
export async function fillFrom(body, load, report) {
  body.setAttribute('aria-busy', 'true');
  try {
    body.replaceChildren(...[await load()].flat().filter(Boolean));
  } catch (err) {
    body.replaceChildren(h('p', { class: 'warn' }, err.message));
    report(err);
  } finally {
    body.removeAttribute('aria-busy');
  }
}

/**
 * A list of the first page and a "More <label>" button that appends the next while there is one;
 * `fetchPage(cursor)` answers `{items, next}` (cursor null for the first). Focus moves to the first new
 * item; a page that fails goes to `report`.
 */
export async function pagedList(fetchPage, item, { empty, label, report, listClass = 'history' }) {
  const first = await fetchPage(null);
  if (!first.items.length) return h('p', { class: 'muted' }, empty);
  const list = h('ul', { class: listClass }, first.items.map(item));
  const more = h('button', { type: 'button', class: 'more' }, `More ${label}`);
  let cursor = first.next;
  more.hidden = !cursor;
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const next = await fetchPage(cursor);
      const added = next.items.map(item);
      list.append(...added);
      cursor = next.next;
      more.hidden = !cursor;
      added[0]?.querySelector('button, a')?.focus();
    } catch (err) {
      report(err); // the list so far stays; More can be pressed again
    } finally {
      more.disabled = false;
    }
  });
  return [list, more];
}
