// History panels, each inside a <details> that loads when first opened (nothing on first load):
// past analysis runs (GET /runs; a run opens in place, read from GET /runs/{id}), the audit trail
// (GET /audit with its event-type and range filters) and past chat threads (GET /chat/threads; a
// thread opens in place with its messages). Each pages with "More" where the API pages.
import { badge, fillFrom, h, pagedList, whenAgo } from './dom.js';
import { renderRun } from './run-view.js';

/** A <details> whose body `load()` fills the first time it opens, and again from its Refresh button. */
function lazy(details, load, report) {
  const body = details.querySelector('.panel-body');
  let loaded = false;
  const run = () => {
    loaded = true;
    return fillFrom(body, load, report);
  };
  details.addEventListener('toggle', () => {
    if (details.open && !loaded) void run();
  });
  if (details.open) void run(); // opened before this module loaded (app.js loads it on the first toggle)
  details.querySelector('button.refresh')?.addEventListener('click', run);
  return { reload: () => (details.open ? run() : (loaded = false)) };
}

/** A button that shows (and hides) what `render()` returns under it, read once. */
function opener(text, render, report) {
  const out = h('div', { class: 'opened', hidden: true });
  const button = h('button', { type: 'button', class: 'open', 'aria-expanded': 'false' }, text);
  let filled = false;
  button.addEventListener('click', async () => {
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    out.hidden = !open;
    if (!open || filled) return;
    filled = true;
    out.setAttribute('aria-busy', 'true');
    try {
      out.replaceChildren(await render());
    } catch (err) {
      filled = false;
      out.replaceChildren(h('p', { class: 'warn' }, err.message));
      report(err);
    } finally {
      out.removeAttribute('aria-busy');
    }
  });
  return [button, out];
}

export function createHistory({ api, charts, report }) {
  const $ = (id) => document.getElementById(id);
  const withCursor = (path, cursor) => (cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path);

  const runs = lazy(
    $('runs-history'),
    () =>
      pagedList(
        async (cursor) => {
          const { runs: items, next_cursor: next } = await api.get(withCursor('/runs?limit=10', cursor));
          return { items, next };
        },
        (r) =>
          h(
            'li',
            { class: 'history-item', 'data-run-id': r.run_id, 'data-status': r.status },
            h('h3', {}, badge(r.status.replaceAll('_', ' '), 'status'), ` ${r.analysis_type} analysis`),
            h('p', { class: 'muted' }, `started ${whenAgo(r.started_at)} by ${r.requested_by} · ${r.findings} finding(s)`),
            r.top_hypothesis
              ? h('p', {}, `Top hypothesis (${Math.round(r.top_hypothesis.confidence * 100)}%): ${r.top_hypothesis.cause}`)
              : null,
            opener(
              `Show run ${r.run_id.slice(0, 8)}`,
              async () => renderRun(charts, await api.get(`/runs/${encodeURIComponent(r.run_id)}`), { chartsPerHypothesis: 1 }),
              report,
            ),
          ),
        { empty: 'No analysis run yet.', label: 'runs', report },
      ),
    report,
  );

  const auditForm = $('audit-filters');
  const audit = lazy(
    $('audit-history'),
    () => {
      const type = auditForm.elements.event_type.value;
      const hours = Number(auditForm.elements.range.value);
      const from = new Date(Date.now() - hours * 3_600_000).toISOString();
      const base = `/audit?limit=20&from=${encodeURIComponent(from)}${type ? `&event_type=${encodeURIComponent(type)}` : ''}`;
      return pagedList(
        async (cursor) => {
          const { events, next_cursor: next } = await api.get(withCursor(base, cursor));
          return { items: events, next };
        },
        (e) =>
          h(
            'li',
            { class: 'history-item', 'data-event-type': e.event_type },
            h('h3', {}, badge(e.outcome, e.outcome), ` ${e.event_type.replaceAll('_', ' ')}`, e.resource_id ? ` · ${e.resource_id}` : ''),
            h(
              'p',
              { class: 'muted' },
              `${whenAgo(e.timestamp)} · ${e.user_id}${e.initiated_by && e.initiated_by !== e.user_id ? ` (via ${e.initiated_by})` : ''}`,
            ),
          ),
        { empty: 'No event in this range.', label: 'events', report },
      );
    },
    report,
  );
  auditForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void audit.reload();
  });
  for (const select of auditForm.querySelectorAll('select')) select.addEventListener('change', () => void audit.reload());

  const threads = lazy(
    $('chat-history'),
    async () => {
      const { threads: items } = await api.get('/chat/threads?limit=20');
      if (!items.length) return h('p', { class: 'muted' }, 'No conversation yet.');
      return h(
        'ul',
        { class: 'history' },
        items.map((t) =>
          h(
            'li',
            { class: 'history-item', 'data-thread-id': t.thread_id },
            h('h3', {}, t.title),
            h('p', { class: 'muted' }, `${t.turns} turn(s) · last ${whenAgo(t.updated_at)}`),
            opener(
              'Show messages',
              async () => {
                const thread = await api.get(`/chat/threads/${encodeURIComponent(t.thread_id)}`);
                return h(
                  'ol',
                  { class: 'thread' },
                  thread.messages.map((m) =>
                    h(
                      'li',
                      { class: `msg msg-${m.role}` },
                      h('span', { class: 'who' }, m.role === 'user' ? 'You' : 'AIOps', ` · ${whenAgo(m.at)}`),
                      h('p', {}, m.content),
                    ),
                  ),
                );
              },
              report,
            ),
          ),
        ),
      );
    },
    report,
  );

  return {
    /** Open panels read again (a new token, "Refresh all"); closed ones when next opened. */
    reload: () => Promise.all([runs.reload(), audit.reload(), threads.reload()]),
  };
}
