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
