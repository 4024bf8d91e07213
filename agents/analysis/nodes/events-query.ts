/**
 * events-query: reads the Warning events of the analysis window through the list_events tool (so the
 * scope check, the audit row and the workspace confinement of the logs query builder apply as for any
 * tool call) and turns them into findings with the event analysers (src/analysis/findings/events.ts).
 * Every analysis type reads them: they are evidence whatever was asked. A missing table or an
 * unconfigured store is a gap stated in the progress; an unreachable store is a run error that does
 * not stop the analysis.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { eventFindings } from '../../../src/analysis/findings/events.js';
import type { Finding } from '../../../src/analysis/types.js';
import type { ListEventsOutput } from '../../../tools/index.js';
import { progress, toolContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

/** Event groups read per run: the analysers fold them per workload, so this bounds work, not coverage of causes. */
const MAX_EVENT_GROUPS = 300;

export function eventsQueryNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    const plan = state.plan;
    if (!plan) return {};
    if (!deps.toolbox.list().some((t) => t.name === 'list_events'))
      return { progress: [progress(deps, 'events-query', 'events not read: no list_events tool')] };
    const minutes = Math.max(1, Math.ceil((plan.window.end - plan.window.start) / 60));
    const { result } = await deps.toolbox.call(
      'list_events',
      {
        type: 'Warning',
        window_minutes: Math.min(minutes, 10_080),
        end_time: new Date(plan.window.end * 1000).toISOString(),
        limit: MAX_EVENT_GROUPS,
      },
      toolContext(config),
      { trace: config },
    );
    if (result.status === 'no_data') return { progress: [progress(deps, 'events-query', result.message)] };
    if (result.status !== 'ok')
      return {
        errors: [{ node: 'events-query', message: result.message, kind: 'events_gap' }],
        progress: [progress(deps, 'events-query', result.message)],
      };
    const events = (result.data as ListEventsOutput).events;
    const found = onTargets(eventFindings(events), plan.targets);
    return {
      eventFindings: found,
      progress: [progress(deps, 'events-query', `${events.length} warning event group(s), ${found.length} finding(s)`)],
    };
  };
}

/** A focused analysis keeps the event findings of its namespaces or workloads only. */
function onTargets(findings: Finding[], targets: readonly string[]): Finding[] {
  if (targets.length === 0) return findings;
  return findings.filter((f) => targets.some((t) => t === f.resource.namespace || t === f.resource.workload));
}
