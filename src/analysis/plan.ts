/**
 * The deterministic plan of an analysis: which analyses each analysis type needs, which catalog
 * queries they read, over which window. Pure; used by the analysis graph's planner (its plan without
 * a model, and its fallback) and by the diagnose_workspace tool. The catalog queries come from the
 * analysers themselves (what each one reads), so the two never drift apart.
 */
import type { AnalysisKind, AnalysisPlan, AnalysisRequest, AnalysisType, PlannedQuery } from './types.js';
import { findingsWindowQueries } from './findings/required-queries.js';
import { QUERY_CATALOG } from '../metrics/catalog/catalog.js';
import { analysisWindow } from './window.js';

export const ANALYSES_BY_TYPE: Record<AnalysisType, AnalysisKind[]> = {
  anomaly: ['anomaly', 'health'],
  performance: ['health', 'anomaly', 'rightsizing'],
  security: ['security', 'compliance', 'anomaly'],
  capacity: ['capacity', 'rightsizing', 'health'],
};

/** Catalog queries for the analyses, with namespace targets applied where the query takes them. */
export function queriesFor(analyses: readonly AnalysisKind[], targets: readonly string[]): PlannedQuery[] {
  const names = [...new Set(findingsWindowQueries([...analyses]))];
  const namespaces = targets.length > 0 ? targets : [undefined];
  return names.flatMap((name: string) =>
    namespaces.map((namespace): PlannedQuery => {
      const takesNamespace = QUERY_CATALOG.get(name)?.filters.includes('namespace') ?? false;
      const args: Record<string, string> = namespace && takesNamespace ? { namespace } : {};
      return { name, args, purpose: `needed by ${analyses.join(', ')}` };
    }),
  );
}

/** The request's window with a step that keeps every series at or under `maxPoints` points (and at least a minute). */
export function windowFor(request: AnalysisRequest, maxPoints: number): AnalysisPlan['window'] {
  return analysisWindow({ spanSeconds: request.timeRangeMinutes * 60, endSeconds: request.endTime, maxPoints });
}

export function deterministicPlan(request: AnalysisRequest, maxPoints: number): AnalysisPlan {
  const analyses = ANALYSES_BY_TYPE[request.analysisType];
  return {
    analysis_type: request.analysisType,
    window: windowFor(request, maxPoints),
    queries: queriesFor(analyses, request.targets).slice(0, 30),
    analyses,
    targets: request.targets,
    planned_by: 'deterministic',
  };
}
