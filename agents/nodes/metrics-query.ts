/**
 * metrics-query: runs the planned catalog queries through the tools (fetch_series), so the scope
 * check, the audit row, the trace span and the workspace confinement of the data layer apply as for
 * any tool call.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { SeriesData } from '../../src/analysis/types.js';
import { toLangChainTools, type ToolResult } from '../../tools/index.js';
import { progress, toolContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate, RunError } from '../state.js';

interface FetchAnswer {
  series: SeriesData[];
  failures: { query: string; message: string }[];
}

export function metricsQueryNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    if (!state.plan) return { errors: [{ node: 'metrics-query', message: 'no plan' }] };
    // Through the LangChain tool wrapper with the node's config, so the call is a span of the run's trace.
    const fetchTool = toLangChainTools(deps.toolbox, toolContext(config)).find((t) => t.name === 'fetch_series');
    if (!fetchTool) throw new Error('the graph toolbox has no fetch_series tool');
    const result = JSON.parse(String(await fetchTool.invoke({ queries: state.plan.queries, window: state.plan.window }, config))) as ToolResult;
    if (result.status !== 'ok') {
      const message = result.message;
      const kind = result.status === 'error' ? (result.details?.kind as string | undefined) : undefined;
      return {
        errors: [{ node: 'metrics-query', message, ...(kind ? { kind } : {}) }],
        progress: [progress(deps, 'metrics-query', `no data: ${message}`)],
      };
    }
    const answer = result.data as FetchAnswer;
    const errors: RunError[] = answer.failures.map((f) => ({ node: 'metrics-query', message: `${f.query}: ${f.message}` }));
    return {
      series: answer.series,
      errors,
      progress: [progress(deps, 'metrics-query', `${answer.series.length} series from ${state.plan.queries.length - answer.failures.length}/${state.plan.queries.length} queries`)],
    };
  };
}
