// The incidents list: open, resolved or all, filtered by severity, namespace, workload and text (the
// filtering is the service's, GET /incidents, so pages stay exact), "More incidents" following
// next_cursor. Open incidents show their investigation's likely cause (one read each, ten at most).
import { badge, h, labelText, pagedList, whenAgo } from './dom.js';

const PAGE = 10;
const FIELDS = ['status', 'severity', 'namespace', 'workload', 'text'];

/** The form's values as GET /incidents query parameters (empty fields left out). */
function query(form) {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  params.set('limit', String(PAGE));
  return params;
}

function card(i) {
  const top = i.investigation.top_hypothesis;
  return h(
    'li',
    { class: `card sev-${i.severity}`, 'data-incident-id': i.id, 'data-status': i.status },
    h('h3', {}, badge(i.severity), ' ', h('a', { href: `#incident=${i.id}` }, i.title)),
    h(
      'p',
      { class: 'muted' },
      i.status === 'resolved' ? `resolved ${whenAgo(i.resolved_at)}` : `opened ${whenAgo(i.opened_at)}`,
      i.alerts ? ` · ${i.alerts.length} alert(s)` : '',
      ` · ${labelText(i.resource) || 'the workspace'}`,
    ),
    i.status === 'open'
      ? top
        ? h('p', {}, `Likely cause (${Math.round(top.confidence * 100)}%): ${top.cause}`)
        : h('p', { class: 'muted' }, `Investigation: ${i.investigation.status.replace('_', ' ')}`)
      : null,
  );
}

/** The panel's loader (see app.js `panel`): the first page for the form's filters. */
export function incidentsList(api, form, report) {
  async function page(params) {
    const { incidents, next_cursor: next } = await api.get(`/incidents?${params}`);
    // Open ones in full (alerts and top hypothesis); resolved ones as listed.
    const shown = await Promise.all(incidents.map((i) => (i.status === 'open' ? api.get(`/incidents/${i.id}`) : i)));
    return { items: shown, next };
  }

  return function load() {
    const params = query(form);
    return pagedList(
      (cursor) => {
        if (cursor) params.set('cursor', cursor);
        return page(params);
      },
      card,
      {
        empty: params.get('status') === 'open' ? 'No open incidents.' : 'No incident matches.',
        label: 'incidents',
        listClass: 'cards',
        report,
      },
    );
  };
}
