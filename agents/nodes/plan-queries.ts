/**
 * The deterministic planner's table: which analyses each analysis type needs. The catalog queries
 * come from the analysers themselves (what each one reads), so the two never drift apart.
 */
import type { AnalysisKind, AnalysisPlan, AnalysisType, PlannedQuery } from '../../src/analysis/types.js';
import { findingsWindowQueries } from '../../src/analysis/findings/required-queries.js';
import { QUERY_CATALOG } from '../../src/metrics/catalog/catalog.js';
import type { AnalysisRequest } from '../state.js';

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

/** A step that keeps every series at or under `maxPoints` points (and at least a minute). */
export function windowFor(request: AnalysisRequest, maxPoints: number): AnalysisPlan['window'] {
  const seconds = request.timeRangeMinutes * 60;
  const step = Math.max(60, Math.ceil(seconds / maxPoints / 60) * 60);
  const end = Math.floor(request.endTime / step) * step;
  return { start: end - seconds, end, step };
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
