/**
 * events-query: reads the Warning events of the analysis window through the list_events tool (so the
 * scope check, the audit row and the workspace confinement of the logs query builder apply as for any
 * tool call) and turns them into findings with the event analysers (src/analysis/findings/events.ts).
 * Every analysis type reads them, and the window's error log templates (log_patterns, through the log
 * analysers of src/analysis/findings/log-patterns.ts): they are evidence whatever was asked. A security analysis also reads
 * the platform's security events (security_events, folded by source IP and by event type) through the
 * security analysers (src/analysis/findings/security-events.ts). A missing table or an unconfigured
 * store is a gap stated in the progress; an unreachable store is a run error that does not stop the
 * analysis.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { eventFindings } from '../../../src/analysis/findings/events.js';
import { logPatternFindings } from '../../../src/analysis/findings/log-patterns.js';
import { escalationFindings, sourceFindings } from '../../../src/analysis/findings/security-events.js';
import type { Finding } from '../../../src/analysis/types.js';
import type { ListEventsOutput, LogPatternsOutput, SecurityEventsOutput } from '../../../tools/index.js';
import { progress, toolContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate, RunError } from '../state.js';

/** Security event groups read per run (each of the two foldings), most failures first. */
const MAX_SECURITY_GROUPS = 100;

/** Event groups read per run: the analysers fold them per workload, so this bounds work, not coverage of causes. */
const MAX_EVENT_GROUPS = 300;

export function eventsQueryNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    const plan = state.plan;
    if (!plan) return {};
    if (!deps.toolbox.list().some((t) => t.name === 'list_events'))
      return { progress: [progress(deps, 'events-query', 'events not read: no list_events tool')] };
    const { result } = await deps.toolbox.call(
      'list_events',
      {
        type: 'Warning',
        ...windowArgs(plan),
        limit: MAX_EVENT_GROUPS,
      },
      toolContext(config),
      { trace: config },
    );
    const [security, logs] = await Promise.all([
      plan.analysis_type === 'security' ? securityUpdate(deps, plan, config) : Promise.resolve(NOTHING),
      logsUpdate(deps, plan, config),
    ]);
    const extra = {
      findings: [...logs.findings, ...security.findings],
      notes: [...logs.notes, ...security.notes],
      errors: [...logs.errors, ...security.errors],
    };
    if (result.status !== 'ok')
      return {
        eventFindings: extra.findings,
        errors: [
          ...(result.status === 'no_data' ? [] : [{ node: 'events-query', message: result.message, kind: 'events_gap' }]),
          ...extra.errors,
        ],
        progress: [progress(deps, 'events-query', [result.message, ...extra.notes].join('; '))],
      };
    const events = (result.data as ListEventsOutput).events;
    const found = onTargets(eventFindings(events), plan.targets);
    return {
      eventFindings: [...found, ...extra.findings],
      errors: extra.errors,
      progress: [
        progress(deps, 'events-query', [`${events.length} warning event group(s), ${found.length} finding(s)`, ...extra.notes].join('; ')),
      ],
    };
  };
}

/** What one more source (error logs, security events) adds to the run: findings, progress notes, gaps. */
interface ExtraEvidence {
  findings: Finding[];
  notes: string[];
  errors: RunError[];
}

const NOTHING: ExtraEvidence = { findings: [], notes: [], errors: [] };

/** The window's error templates (log_patterns, error lines only) through the log analysers. */
async function logsUpdate(
  deps: AgentDeps,
  plan: NonNullable<AnalysisState['plan']>,
  config: LangGraphRunnableConfig,
): Promise<ExtraEvidence> {
  if (!deps.toolbox.list().some((t) => t.name === 'log_patterns')) return NOTHING;
  const { result } = await deps.toolbox.call(
    'log_patterns',
    {
      min_severity: 'error',
      ...windowArgs(plan),
      limit: 50,
    },
    toolContext(config),
    { trace: config },
  );
  if (result.status === 'no_data') return { findings: [], notes: [result.message], errors: [] };
  if (result.status !== 'ok')
    return { findings: [], notes: [result.message], errors: [{ node: 'events-query', message: result.message, kind: 'logs_gap' }] };
  const data = result.data as LogPatternsOutput;
  const findings = onTargets(logPatternFindings(data.patterns), plan.targets);
  return { findings, notes: [`${data.patterns.length} error template(s), ${findings.length} log finding(s)`], errors: [] };
}

/** The window's security events by source IP and by event type, through the security analysers. */
async function securityUpdate(
  deps: AgentDeps,
  plan: NonNullable<AnalysisState['plan']>,
  config: LangGraphRunnableConfig,
): Promise<ExtraEvidence> {
  if (!deps.toolbox.list().some((t) => t.name === 'security_events')) return NOTHING;
  const window = {
    ...windowArgs(plan),
    limit: MAX_SECURITY_GROUPS,
  };
  const read = (group_by: 'source_ip' | 'event_type') =>
    deps.toolbox.call('security_events', { ...window, group_by }, toolContext(config), { trace: config }).then((o) => o.result);
  const [bySource, byType] = await Promise.all([read('source_ip'), read('event_type')]);
  for (const r of [bySource, byType]) {
    if (r.status === 'ok') continue;
    return {
      findings: [],
      notes: [r.message],
      errors: r.status === 'no_data' ? [] : [{ node: 'events-query', message: r.message, kind: 'events_gap' }],
    };
  }
  const groups = (r: typeof bySource) => (r.status === 'ok' ? (r.data as SecurityEventsOutput).groups : []);
  const findings = [...sourceFindings(groups(bySource)), ...escalationFindings(groups(byType))];
  return { findings, notes: [`${groups(bySource).length} security source(s), ${findings.length} security finding(s)`], errors: [] };
}

/** The logs tools' window arguments for the plan's window (its end, in whole minutes up to 7 days). */
function windowArgs(plan: NonNullable<AnalysisState['plan']>): { window_minutes: number; end_time: string } {
  return {
    window_minutes: Math.min(10_080, Math.max(1, Math.ceil((plan.window.end - plan.window.start) / 60))),
    end_time: new Date(plan.window.end * 1000).toISOString(),
  };
}

/** A focused analysis keeps the event findings of its namespaces or workloads only. */
function onTargets(findings: Finding[], targets: readonly string[]): Finding[] {
  if (targets.length === 0) return findings;
  return findings.filter((f) => targets.some((t) => t === f.resource.namespace || t === f.resource.workload));
}
