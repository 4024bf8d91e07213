// The console: token → workspace → panels (alerts, incidents, insights, recommendations, analysis, chat,
// pending remediations, remediation history). Plain ES modules, no framework, no build step, nothing from other origins.
import { createApi } from './api.js';
import { createCharts } from './chart.js';
import { createChat } from './chat.js';
import { ALERT_QUERIES } from './chart-groups.js';
import { ago, badge, fillFrom, h, labelText, when } from './dom.js';
import { incidentsList } from './incidents.js';
import { remediationCard } from './remediation.js';
import { evidenceCharts as chartsOf, renderRun } from './run-view.js';
import { decodeClaims, forgetToken, storedToken, storeToken, tokenFromFragment, workspaceOf } from './token.js';

const $ = (id) => document.getElementById(id);
const state = { token: null, claims: null, workspace: null, permissions: [] };
/** Whether the token may do what needs `scope` (the service's effective permissions; admin implies all). */
const can = (scope) => state.permissions.includes('aiops:admin') || state.permissions.includes(scope);
const api = createApi(
  () => state.token,
  () => state.workspace,
);
const charts = createCharts(api);

// ---- errors: one aria-live region, newest first, each dismissable
function report(err) {
  const box = $('errors');
  const item = h(
    'div',
    { class: 'error-item' },
    h('p', {}, err.message ?? String(err)),
    h('button', { type: 'button', onclick: () => item.remove() }, 'Dismiss'),
  );
  box.prepend(item);
  while (box.children.length > 5) box.lastChild.remove();
}

// ---- panels: a loader that returns nodes; errors show in the panel and in the live region
const panels = {};
function panel(id, loader) {
  const body = $(id).querySelector('.panel-body');
  const load = () => fillFrom(body, loader, report);
  $(id).querySelector('button.refresh')?.addEventListener('click', load);
  panels[id] = load;
}

const empty = (text) => h('p', { class: 'muted' }, text);

// ---- the workspace at a glance (GET /summary), first; "Refresh all" reloads every panel
panel('summary', async () => {
  const s = await api.get('/summary');
  const i = s.open_incidents;
  const stat = (label, value, kind) => h('div', { class: `stat stat-${kind}` }, h('strong', {}, String(value)), ' ', label);
  return h(
    'div',
    { class: 'stats' },
    stat(
      `open incident${i.total === 1 ? '' : 's'}${i.total ? ` (${i.critical} critical, ${i.warning} warning, ${i.info} info)` : ''}`,
      i.total,
      i.critical ? 'critical' : i.total ? 'warning' : 'ok',
    ),
    stat('firing alerts', s.active_alerts.firing, s.active_alerts.firing ? 'warning' : 'ok'),
    stat('pending alerts', s.active_alerts.pending, 'muted'),
    stat(`awaiting approval`, s.pending_approvals, s.pending_approvals ? 'warning' : 'ok'),
    h(
      'p',
      { class: 'muted' },
      s.last_evaluated_at ? `Monitor last evaluated ${ago(s.last_evaluated_at)}` : 'Not evaluated by the monitor yet',
    ),
  );
});
$('summary')
  .querySelector('button.refresh-all')
  .addEventListener('click', () => refreshAll());
// One range for every chart: those drawn ask again at once, the others when they scroll into view.
$('chart-range').addEventListener('change', (event) => charts.setRange(Number(event.target.value)));
const evidenceCharts = (evidence, max = 2) => chartsOf(charts, evidence, max);

// An alert's card: what fired, on what, since when, with its chart.
const alertCard = (a) =>
  h(
    'li',
    { class: `card sev-${a.severity}`, 'data-alert-id': a.id },
    h('h3', {}, badge(a.severity), ' ', a.name, a.state === 'pending' ? ' (pending)' : ''),
    h('p', {}, a.summary),
    h('p', { class: 'muted' }, labelText(a.labels), a.started_at ? ` · since ${when(a.started_at)}` : ''),
    ALERT_QUERIES[a.name] ? h('div', { class: 'charts' }, charts.chart({ name: ALERT_QUERIES[a.name], labels: a.labels })) : null,
  );

panel('alerts', async () => {
  // The monitor's stored state: firing and pending alerts, newest onset first, grouped under their
  // incidents (the first alert of a group names it; the link opens the incident page), then the rest.
  const { alerts } = await api.get('/alerts');
  if (!alerts.length) return [empty('No active alerts.')];
  const groups = new Map();
  for (const a of alerts) {
    const key = a.incident_id ?? '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(a);
  }
  const incidentIds = [...groups.keys()].filter((id) => id !== '');
  return [
    ...incidentIds.map((id) =>
      h(
        'div',
        { class: 'alert-group', 'data-group-incident': id },
        h(
          'h3',
          {},
          h(
            'a',
            { href: `#incident=${encodeURIComponent(id)}` },
            `Incident: ${groups.get(id).length} alert${groups.get(id).length === 1 ? '' : 's'}`,
          ),
        ),
        h('ul', { class: 'cards' }, groups.get(id).map(alertCard)),
      ),
    ),
    ...(groups.has('')
      ? [
          h(
            'div',
            { class: 'alert-group' },
            incidentIds.length ? h('h3', {}, 'Not in an incident (pending, or not yet grouped)') : null,
            h('ul', { class: 'cards' }, groups.get('').map(alertCard)),
          ),
        ]
      : []),
  ];
});

// Incidents as the monitor grouped them, filtered (incidents.js); a filter change reloads the list.
panel('incidents', incidentsList(api, $('incident-filters'), report));
$('incident-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  panels.incidents();
});
for (const select of $('incident-filters').querySelectorAll('select')) select.addEventListener('change', () => panels.incidents());

panel('insights', async () => {
  const { insights } = await api.get('/insights?limit=20');
  if (!insights.length) return empty('No insights yet: run an analysis.');
  return h(
    'ul',
    { class: 'cards' },
    insights.map((i) =>
      h(
        'li',
        { class: `card sev-${i.severity}`, 'data-run-id': i.run_id },
        h('h3', {}, badge(i.severity), ' ', i.title),
        h('p', { class: 'muted' }, `${Math.round(i.confidence * 100)}% confidence · ${i.diagnosed_by} · ${when(i.created_at)}`),
        i.summary ? h('p', {}, i.summary) : null,
        evidenceCharts(i.evidence),
        i.recommendations.length
          ? h(
              'ul',
              {},
              i.recommendations.map((r) => h('li', {}, r)),
            )
          : null,
      ),
    ),
  );
});

panel('recommendations', async () => {
  const { recommendations } = await api.get('/recommendations');
  if (!recommendations.length) return empty('No recommendations.');
  return h(
    'ul',
    { class: 'cards' },
    recommendations.slice(0, 12).map((r) =>
      h(
        'li',
        { class: `card prio-${r.priority}` },
        h('h3', {}, badge(r.priority), ' ', r.title),
        h('p', { class: 'muted' }, `${r.category} · effort ${r.effort} · ${r.impact}`),
        h(
          'ul',
          {},
          r.actions.map((a) => h('li', {}, a)),
        ),
        evidenceCharts(r.evidence, 1),
      ),
    ),
  );
});

panel('pending', async () => {
  const { remediations } = await api.get('/remediations?status=pending_approval&limit=20');
  if (!remediations.length) return empty('Nothing waits for approval.');
  // A decided card stays, showing its outcome, until the next refresh.
  return remediations.map((r) => remediationCard(api, r, { report, can }));
});

// ---- history: every remediation, newest first — what was asked, who decided, what the control plane answered
const stepText = (p) => `${p.action_type} ${p.target_resource}${p.namespace ? ` in ${p.namespace}` : ''}`;
const historyItem = (r) =>
  h(
    'li',
    { class: 'history-item', 'data-remediation-id': r.id, 'data-status': r.status },
    h('h3', {}, badge(r.status.replaceAll('_', ' '), r.status), ' ', r.plan.map(stepText).join('; ')),
    h(
      'p',
      { class: 'muted' },
      `asked by ${r.requested_by} ${when(r.requested_at)}`,
      r.decision ? ` · ${r.decision.decision} by ${r.decision.by} ${when(r.decision.at)}` : '',
      r.decision?.comment ? ` (“${r.decision.comment}”)` : '',
    ),
    r.results.length
      ? h(
          'ul',
          { class: 'results' },
          r.results.map((x) => h('li', {}, `${x.status}${x.upstream_status ? ` (control plane ${x.upstream_status})` : ''}: ${x.message}`)),
        )
      : null,
    r.error ? h('p', { class: 'warn' }, r.error) : null,
  );
panel('history', async () => {
  const { remediations } = await api.get('/remediations?limit=20');
  if (!remediations.length) return empty('No remediation yet.');
  return h('ul', { class: 'history' }, remediations.map(historyItem));
});

/** `#remediation=<id>` (a notification's link): that remediation in the history, scrolled to and highlighted. */
async function showRemediation(id) {
  const body = $('history').querySelector('.panel-body');
  let item = body.querySelector(`[data-remediation-id="${globalThis.CSS.escape(id)}"]`);
  if (!item) {
    // Older than the history's first page: read on its own, shown on top.
    item = historyItem(await api.get(`/remediations/${encodeURIComponent(id)}`));
    body.prepend(h('ul', { class: 'history' }, item));
  }
  for (const old of document.querySelectorAll('.highlight')) old.classList.remove('highlight');
  item.classList.add('highlight');
  item.setAttribute('tabindex', '-1');
  item.scrollIntoView({ block: 'center' });
  item.focus();
}

// ---- analysis: POST /analyze, polling GET /runs/{id} when it answers 202
$('analyze-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const out = $('analyze-result');
  const button = event.submitter ?? $('analyze-form').querySelector('button');
  button.disabled = true;
  out.replaceChildren(h('p', { role: 'status' }, 'Analysing…'));
  try {
    let { status, body: run } = await api.post('/analyze', {
      analysis_type: $('analyze-type').value,
      time_range_minutes: Number($('analyze-minutes').value),
    });
    for (let i = 0; status === 202 && run.status === 'running' && i < 120; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      run = await api.get(`/runs/${run.run_id}`);
    }
    out.replaceChildren(renderRun(charts, run));
    panels.insights(); // the run's hypotheses become insights
    if (run.status === 'awaiting_approval') panels.pending(); // and its proposed actions a pending remediation
  } catch (err) {
    out.replaceChildren(h('p', { class: 'warn' }, err.message));
    report(err);
  } finally {
    button.disabled = false;
  }
});

// ---- history: past runs, the audit trail, past conversations; each read when its <details> opens,
// and their code (history.js) loaded with the first one opened: nothing of it on first load.
let historyPanels;
const loadHistory = () => (historyPanels ??= import('./history.js').then((m) => m.createHistory({ api, charts, report })));
for (const details of document.querySelectorAll('details.lazy'))
  details.addEventListener('toggle', () => details.open && loadHistory().catch(report));

const chat = createChat({
  api,
  charts,
  report,
  can,
  onRemediation: () => {
    panels.pending();
    panels.history();
  },
});

// ---- token
function showIdentity() {
  const c = state.claims;
  const exp = typeof c.exp === 'number' ? new Date(c.exp * 1000) : null;
  const expired = exp && exp.getTime() < Date.now();
  $('claims').replaceChildren(
    h('dt', {}, 'Workspace'),
    h('dd', { id: 'claim-workspace' }, state.workspace ?? 'none in the token'),
    h('dt', {}, 'Subject'),
    h('dd', {}, c.sub ?? '?'),
    h('dt', {}, 'Permissions'),
    h('dd', {}, Array.isArray(c.permissions) ? c.permissions.join(', ') : 'as granted by the service'),
    h('dt', {}, 'Expires'),
    h('dd', { class: expired ? 'warn' : '' }, exp ? `${exp.toLocaleString()}${expired ? ' (expired)' : ''}` : 'unknown'),
  );
  $('identity').textContent = `${c.sub ?? '?'} @ ${state.workspace ?? '?'}`;
}

function useToken(token) {
  const trimmed = token.trim().replace(/^bearer\s+/i, '');
  let claims;
  try {
    claims = decodeClaims(trimmed);
  } catch (err) {
    report(err);
    return;
  }
  Object.assign(state, { token: trimmed, claims, workspace: workspaceOf(claims) });
  storeToken(trimmed);
  $('token-input').value = '';
  showIdentity();
  if (!state.workspace) {
    report(new Error('the token names no workspace (workspace_id)'));
    return;
  }
  charts.reset();
  charts.setRange(Number($('chart-range').value));
  chat.reset();
  $('workspace').hidden = false;
  // What the token may do, as the service sees it (a control-plane token carries no permissions itself),
  // before the panels draw their buttons.
  state.permissions = Array.isArray(claims.permissions) ? claims.permissions : [];
  api
    .get('/access')
    .then((access) => (state.permissions = access.permissions ?? state.permissions))
    .catch(report)
    .finally(async () => {
      showScopes();
      await refreshAll();
      void historyPanels?.then((h) => h.reload()); // only those open: a closed one reads when opened
      route();
    });
}

// ---- live: the stored state is polled (every 30 s, not while the tab is hidden); "updated … ago" says how fresh
const LIVE_PANELS = ['summary', 'alerts', 'incidents', 'pending', 'history'];
const LIVE_EVERY_MS = 30_000;
let updatedAt = 0;
async function refreshAll(ids = Object.keys(panels)) {
  await Promise.all(ids.map((id) => panels[id]?.()));
  updatedAt = Date.now();
  showUpdated();
}
function showUpdated() {
  if (updatedAt) $('updated').textContent = `updated ${ago(new Date(updatedAt).toISOString())}`;
}
setInterval(() => {
  if (!state.workspace || document.hidden) return;
  if (Date.now() - updatedAt >= LIVE_EVERY_MS) void refreshAll(LIVE_PANELS);
  else showUpdated();
}, 5_000);

/** Controls the token may not use are disabled, each saying which permission it needs. */
function showScopes() {
  const allowed = can('aiops:analyze');
  const button = $('analyze-form').querySelector('button[type=submit]');
  button.disabled = !allowed;
  button.title = allowed ? '' : 'needs aiops:analyze';
  $('analyze-needs').hidden = allowed;
}

// ---- the fragment says what to show: `#incident=<id>` the incident page, `#remediation=<id>` that remediation
// The incident page's code (incident.js) loads when an incident is first opened.
let incidentPageLoaded;
const incidentPage = () => (incidentPageLoaded ??= import('./incident.js').then((m) => m.createIncidentPage({ api, charts, report, can })));
function route() {
  if (!state.workspace) return;
  const hash = window.location.hash.slice(1);
  if (hash && !hash.includes('=') && hash !== 'incidents') return; // an in-page anchor (the skip link)
  const params = new URLSearchParams(hash);
  const incident = params.get('incident');
  if (incident) return void incidentPage().then((page) => page.open(incident), report);
  void incidentPageLoaded?.then((page) => page.close());
  const remediation = params.get('remediation');
  if (remediation) showRemediation(remediation).catch(report);
}
window.addEventListener('hashchange', route);

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  useToken($('token-input').value);
});
$('token-forget').addEventListener('click', () => {
  forgetToken();
  Object.assign(state, { token: null, claims: null, workspace: null });
  $('workspace').hidden = true;
  $('claims').replaceChildren();
  $('identity').textContent = 'No token';
  $('token-input').focus();
});

const initial = tokenFromFragment() ?? storedToken();
if (initial) useToken(initial);
