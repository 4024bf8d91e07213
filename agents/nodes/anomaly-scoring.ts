/**
 * anomaly-scoring: the analytics library, no LLM. Scores every fetched series, forecasts capacity,
 * and finds right-sizing, compliance and security issues, as the plan's analyses ask. The raw series
 * are dropped from the state here: findings carry their own evidence, and a few thousand series of
 * hundreds of points would otherwise be serialised again into every later checkpoint. The analysers
 * run on the injected engine (worker threads in the service), stopped by the run's signal.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { inlineFindingsEngine } from '../../src/analysis/workers/findings-engine.js';
import { progress, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

export function anomalyScoringNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    if (!state.plan) return { errors: [{ node: 'anomaly-scoring', message: 'no plan' }] };
    const findings = await (deps.findings ?? inlineFindingsEngine).collect(state.series, state.plan.analyses, {}, config.signal);
    const serious = findings.filter((f) => f.severity !== 'info').length;
    return {
      findings,
      series: [],
      progress: [progress(deps, 'anomaly-scoring', `${findings.length} findings (${serious} warning or critical) from ${state.series.length} series`)],
    };
  };
}
