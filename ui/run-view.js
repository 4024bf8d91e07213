// An analysis run as people read it: status, the diagnosis with each hypothesis's evidence (its
// readable `shown` value and why it matters, charted), the findings, the proposed actions, errors.
// Used by the Analyze panel, the incident page and the runs history.
import { badge, h, when } from './dom.js';

/** Charts of the first `max` evidence points, each marking its point. */
export const evidenceCharts = (charts, evidence, max = 2) =>
  h(
    'div',
    { class: 'charts' },
    evidence.slice(0, max).map((e) => charts.chart(e.series, { atIso: e.time, value: e.value, caption: `at ${when(e.time)}: ${e.why}` })),
  );

/** Each evidence point in words: what it shows and its value in its unit (the raw series stays in the API). */
const evidenceList = (evidence) =>
  h(
    'ul',
    { class: 'evidence' },
    evidence.map((e) => h('li', {}, e.why, e.shown ? ` — ${e.shown}` : '')),
  );

export function renderRun(charts, run, { chartsPerHypothesis = 2 } = {}) {
  const d = run.diagnosis;
  return h(
    'div',
    { class: 'run', 'data-status': run.status, 'data-run-id': run.run_id },
    h(
      'p',
      {},
      `${run.analysis_type} run `,
      h('code', {}, run.run_id.slice(0, 8)),
      ' ',
      badge(run.status.replace(/_/g, ' '), 'status'),
      run.diagnosed_by ? ` · diagnosed by ${run.diagnosed_by}` : '',
    ),
    d
      ? h(
          'section',
          { 'aria-label': 'Diagnosis' },
          h('h3', {}, 'Diagnosis'),
          h('p', {}, d.summary),
          d.impact ? h('p', { class: 'muted' }, d.impact) : null,
          h(
            'ol',
            { class: 'hypotheses' },
            d.hypotheses.map((x) =>
              h(
                'li',
                { class: 'hypothesis' },
                h('strong', {}, x.cause),
                ` (${Math.round(x.confidence * 100)}%)`,
                evidenceList(x.evidence),
                chartsPerHypothesis ? evidenceCharts(charts, x.evidence, chartsPerHypothesis) : null,
              ),
            ),
          ),
        )
      : null,
    h(
      'details',
      {},
      h('summary', {}, `Findings (${run.findings.length})`),
      h(
        'ul',
        {},
        run.findings.slice(0, 30).map((f) => h('li', {}, badge(f.severity), ` ${f.title}`)),
      ),
    ),
    run.proposed_actions.length
      ? h(
          'section',
          { 'aria-label': 'Proposed actions' },
          h('h3', {}, 'Proposed actions (need approval)'),
          h(
            'ul',
            {},
            run.proposed_actions.map((a) =>
              h(
                'li',
                {},
                badge(`risk ${a.risk}`, a.risk),
                ` ${a.action_type} ${a.namespace ? `${a.namespace}/` : ''}${a.target_resource}: ${a.reason}`,
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No action proposed.'),
    run.errors.length
      ? h(
          'ul',
          { class: 'warn' },
          run.errors.map((e) => h('li', {}, `${e.node}: ${e.message}`)),
        )
      : null,
  );
}
