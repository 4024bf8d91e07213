// One incident as a page (opened from the incidents list or a notification's `#incident=<id>` link):
// status, severity, resource, when it opened and resolved, the timeline of its alerts, a chart of the
// resource, the investigation's run (hypotheses with evidence) and the remediation it proposed, with
// Approve / Reject for a token that may decide (remediation.js). "Back to incidents" returns to the list.
import { ALERT_QUERIES } from './chart-groups.js';
import { badge, h, labelText, whenAgo } from './dom.js';
import { remediationCard } from './remediation.js';
import { renderRun } from './run-view.js';

export function renderIncident({ api, charts, report, can }, incident) {
  const charted = incident.alerts.find((a) => ALERT_QUERIES[a.name]);
  return [
    h(
      'div',
      { class: 'incident-head' },
      h('h2', { id: 'incident-heading', tabindex: '-1' }, badge(incident.severity), ' ', incident.title),
      h('a', { href: '#incidents', class: 'back' }, 'Back to incidents'),
    ),
    h(
      'dl',
      { class: 'claims incident-facts' },
      h('dt', {}, 'Status'),
      h('dd', { 'data-status': incident.status }, incident.status),
      h('dt', {}, 'Severity'),
      h('dd', {}, incident.severity),
      h('dt', {}, 'Resource'),
      h('dd', {}, labelText(incident.resource) || 'the workspace'),
      h('dt', {}, 'Opened'),
      h('dd', {}, whenAgo(incident.opened_at)),
      h('dt', {}, 'Resolved'),
      h('dd', {}, incident.resolved_at ? whenAgo(incident.resolved_at) : 'still open'),
    ),
    h('h3', {}, `Timeline (${incident.alerts.length} alert${incident.alerts.length === 1 ? '' : 's'})`),
    h(
      'ol',
      { class: 'timeline' },
      incident.alerts.map((a) =>
        h(
          'li',
          { class: `card sev-${a.severity}`, 'data-alert-id': a.id },
          h('h4', {}, badge(a.state), ' ', a.name),
          h('p', {}, a.summary),
          h(
            'p',
            { class: 'muted' },
            `began ${whenAgo(a.started_at)}`,
            a.fired_at ? ` · fired ${whenAgo(a.fired_at)}` : '',
            a.resolved_at ? ` · resolved ${whenAgo(a.resolved_at)}` : '',
          ),
        ),
      ),
    ),
    charted ? h('div', { class: 'charts' }, charts.chart({ name: ALERT_QUERIES[charted.name], labels: charted.labels })) : null,
    h('h3', {}, 'Investigation'),
    investigation({ api, charts, report, can }, incident.investigation),
  ];
}

/** The investigation's run, read when the page opens; its pending remediation as a card that can be decided. */
function investigation(ctx, inv) {
  const box = h('div', { class: 'investigation', 'aria-busy': 'true' });
  if (!inv.run_id) {
    box.removeAttribute('aria-busy');
    box.append(h('p', { class: 'muted' }, inv.error ? `Not started: ${inv.error}` : 'Not started yet.'));
    return box;
  }
  void (async () => {
    try {
      const run = await ctx.api.get(`/runs/${encodeURIComponent(inv.run_id)}`);
      box.replaceChildren(renderRun(ctx.charts, run, { chartsPerHypothesis: 1 }));
      if (run.remediation_id) {
        const r = await ctx.api.get(`/remediations/${encodeURIComponent(run.remediation_id)}`);
        box.append(remediationCard(ctx.api, r, { report: ctx.report, can: ctx.can }));
      }
    } catch (err) {
      box.append(h('p', { class: 'warn' }, err.message));
      ctx.report(err);
    } finally {
      box.removeAttribute('aria-busy');
    }
  })();
  return box;
}

/**
 * The incident page in place of the two columns of panels (the summary stays above it): `open(id)`
 * reads and shows the incident and moves focus to its heading; `close()` brings the panels back and
 * focuses the incident's link in the list, so keyboard users land where they left.
 */
export function createIncidentPage(ctx) {
  const section = document.getElementById('incident-view');
  const body = section.querySelector('.panel-body');
  const columns = () => document.querySelectorAll('#workspace > .col');
  let openId = null;

  async function open(id) {
    openId = id;
    section.hidden = false;
    for (const c of columns()) c.hidden = true;
    body.replaceChildren();
    body.setAttribute('aria-busy', 'true');
    try {
      const incident = await ctx.api.get(`/incidents/${encodeURIComponent(id)}`);
      if (openId !== id) return; // another incident was opened meanwhile
      body.replaceChildren(...renderIncident(ctx, incident).filter(Boolean));
      body.querySelector('#incident-heading')?.focus();
    } catch (err) {
      body.replaceChildren(h('p', { class: 'warn' }, err.message), h('a', { href: '#incidents', class: 'back' }, 'Back to incidents'));
      ctx.report(err);
    } finally {
      body.removeAttribute('aria-busy');
    }
  }

  function close() {
    if (openId === null) return;
    const id = openId;
    openId = null;
    section.hidden = true;
    body.replaceChildren();
    for (const c of columns()) c.hidden = false;
    const link =
      document.querySelector(`#incidents [data-incident-id="${globalThis.CSS.escape(id)}"] a`) ??
      document.getElementById('incidents-heading');
    link.scrollIntoView({ block: 'center' });
    link.focus();
  }

  return { open, close };
}
