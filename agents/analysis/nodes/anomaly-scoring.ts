/**
 * anomaly-scoring: the analytics library, no LLM (the analysing half of the fetch-and-analyse step,
 * src/analysis/fetch-and-analyse.ts). Scores every fetched series, forecasts capacity, and finds
 * right-sizing, compliance and security issues, as the plan's analyses ask, on the injected engine
 * (worker threads in the service), stopped by the run's signal. The raw series live in memory
 * only, from metrics-query to here (never checkpointed, ../state.ts), and are dropped once scored:
 * findings carry their own evidence. A run resumed from a checkpoint at this node fetches them again.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { analyseSeries } from '../../../src/analysis/fetch-and-analyse.js';
import { byImportance } from '../../../src/analysis/diagnose/common.js';
import { progress, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';
import { fetchPlannedSeries } from './metrics-query.js';

export function anomalyScoringNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    if (!state.plan) return { errors: [{ node: 'anomaly-scoring', message: 'no plan' }] };
    let series = state.series;
    if (series.length === 0 && state.seriesFetched > 0) {
      const again = await fetchPlannedSeries(deps, state.plan, config);
      if (again.status !== 'ok')
        return { errors: [{ node: 'anomaly-scoring', message: `the series had to be fetched again and could not be: ${again.message}` }] };
      series = again.data.series;
    }
    const fromMetrics = await analyseSeries(series, state.plan.analyses, {}, { engine: deps.findings, signal: config.signal });
    // The events' findings (events-query) join the metrics' in one ranking: most severe, then strongest.
    const findings = [...fromMetrics, ...state.eventFindings].sort(byImportance);
    const serious = findings.filter((f) => f.severity !== 'info').length;
    return {
      findings,
      series: [],
      progress: [
        progress(deps, 'anomaly-scoring', `${findings.length} findings (${serious} warning or critical) from ${series.length} series`),
      ],
    };
  };
}
