/**
 * metrics-query: runs the planned catalog queries through the tools (fetch_series), so the scope
 * check, the audit row and the workspace confinement of the data layer apply as for any tool call.
 * The call is a tool span of the run's trace, opened on the node's callbacks with a summary as its
 * output: going through the LangChain tool wrapper would serialise the megabytes of points to JSON
 * and back just to trace them.
 */
import { getCallbackManagerForConfig } from '@langchain/core/runnables';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { SeriesData } from '../../../src/analysis/types.js';
import type { ToolResult } from '../../../tools/index.js';
import { progress, toolContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate, RunError } from '../state.js';

export interface FetchAnswer {
  series: SeriesData[];
  failures: { query: string; message: string }[];
}

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
): Promise<ToolResult> {
  const args = { queries: plan.queries, window: plan.window };
  const span = await (
    await getCallbackManagerForConfig(config)
  )?.handleToolStart(
    { lc: 1, type: 'not_implemented', id: ['tools', 'fetch_series'] },
    JSON.stringify(args),
    undefined,
    undefined,
    undefined,
    undefined,
    'fetch_series',
  );
  const result = await deps.toolbox.run('fetch_series', args, toolContext(config));
  await span?.handleToolEnd(
    result.status === 'ok'
      ? `ok: ${(result.data as FetchAnswer).series.length} series, ${(result.data as FetchAnswer).failures.length} failed queries`
      : `${result.status}: ${result.message}`,
  );
  return result;
}

function toUpdate(deps: AgentDeps, state: AnalysisState, result: ToolResult): AnalysisUpdate {
  const planned = state.plan!.queries.length;
  if (result.status !== 'ok') {
    const kind = result.status === 'error' ? (result.details?.kind as string | undefined) : undefined;
    return {
      errors: [{ node: 'metrics-query', message: result.message, ...(kind ? { kind } : {}) }],
      progress: [progress(deps, 'metrics-query', `no data: ${result.message}`)],
    };
  }
  const answer = result.data as FetchAnswer;
  const errors: RunError[] = answer.failures.map((f) => ({ node: 'metrics-query', message: `${f.query}: ${f.message}` }));
  return {
    series: answer.series,
    seriesFetched: answer.series.length,
    errors,
    progress: [
      progress(deps, 'metrics-query', `${answer.series.length} series from ${planned - answer.failures.length}/${planned} queries`),
    ],
  };
}
