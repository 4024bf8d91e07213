/**
 * metrics-query: runs the planned catalog queries through the tools (fetch_series, through
 * `ToolBox.call` like every tool call of both graphs), so the scope check, the audit row and the
 * workspace confinement of the data layer apply as for any tool call, and the call is a tool span
 * of the run's trace with the tool's summary as its output (not the megabytes of points).
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { FetchSeriesOutput, ToolResult } from '../../../tools/index.js';
import { progress, toolContext, type AgentDeps } from '../deps.js';
import { hasNoData, noDataError } from '../no-data.js';
import type { AnalysisState, AnalysisUpdate, RunError } from '../state.js';

export function metricsQueryNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    if (!state.plan) return { errors: [{ node: 'metrics-query', message: 'no plan' }] };
    return toUpdate(deps, state, await fetchPlannedSeries(deps, state.plan, config));
  };
}

/** The plan's queries through the fetch_series tool, as a tool span of the run's trace. */
export async function fetchPlannedSeries(
  deps: AgentDeps,
  plan: NonNullable<AnalysisState['plan']>,
  config: LangGraphRunnableConfig,
): Promise<ToolResult<FetchSeriesOutput>> {
  const { result } = await deps.toolbox.call('fetch_series', { queries: plan.queries, window: plan.window }, toolContext(config), {
    trace: config,
  });
  // The toolbox checked the answer against fetch_series' output schema.
  return result as ToolResult<FetchSeriesOutput>;
}

function toUpdate(deps: AgentDeps, state: AnalysisState, result: ToolResult<FetchSeriesOutput>): AnalysisUpdate {
  const planned = state.plan!.queries.length;
  if (result.status !== 'ok') {
    const kind = result.status === 'error' ? (result.details?.kind as string | undefined) : undefined;
    return {
      errors: [{ node: 'metrics-query', message: result.message, ...(kind ? { kind } : {}) }],
      progress: [progress(deps, 'metrics-query', `no data: ${result.message}`)],
    };
  }
  const answer = result.data;
  const errors: RunError[] = answer.failures.map((f) => ({ node: 'metrics-query', message: `${f.query}: ${f.message}` }));
  if (answer.series.length === 0) errors.push(noDataError(state));
  return {
    series: answer.series,
    seriesFetched: answer.series.length,
    errors,
    progress: [
      progress(deps, 'metrics-query', `${answer.series.length} series from ${planned - answer.failures.length}/${planned} queries`),
    ],
  };
}

/** Nothing came back (../no-data.ts): the run ends here instead of diagnosing an empty workspace as healthy. */
export const routeAfterMetricsQuery = (state: AnalysisState): 'events-query' | '__end__' => (hasNoData(state) ? '__end__' : 'events-query');
