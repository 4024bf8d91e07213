/**
 * Findings from series: deterministic analysers over the series of an analysis window. Pure, no
 * I/O: the caller fetches the series (see findingsWindowQueries and ../series-from-results.ts).
 */
import type { RightsizingOptions } from '../../analytics/rightsizing/index.js';
import { SEVERITY_RANK, type AnalysisKind, type Finding, type SeriesData, type Severity } from '../types.js';
import { analyseAnomalies, type AnomalyOptions } from './anomaly.js';
import { analyseCapacity } from './capacity.js';
import { analyseCompliance } from './compliance.js';
import { analyseDeploys } from './deploys.js';
import { analyseHealth, memoryTrouble } from './health.js';
import { analyseRightsizing, DEFAULT_RIGHTSIZING_OPTIONS, withoutMemoryTrouble } from './rightsizing.js';
import { analyseSecurity } from './security.js';
import { analyseServiceHealth } from './service-health.js';
import { groupByQuery } from './series-utils.js';

export { findingsWindowQueries, QUERIES_BY_ANALYSIS } from './required-queries.js';
export { seriesId, workloadOf } from './series-utils.js';
export { imageTag } from './compliance.js';

export interface CollectOptions {
  anomaly?: AnomalyOptions;
  rightsizing?: RightsizingOptions;
  /** Drop findings below this severity (default: keep all). */
  minSeverity?: Severity;
  /** At most this many findings, most severe first (default 200). */
  limit?: number;
}

/** Runs the requested analyses over the series; findings sorted by severity, then score, unique by id. */
export function collectFindings(series: readonly SeriesData[], analyses: readonly AnalysisKind[], options: CollectOptions = {}): Finding[] {
  const byQuery = groupByQuery(series);
  const wanted = new Set(analyses);
  const found: Finding[] = [];
  const health = wanted.has('health') ? analyseHealth(byQuery) : [];
  if (wanted.has('anomaly')) found.push(...analyseAnomalies(byQuery, options.anomaly));
  if (wanted.has('health')) found.push(...health, ...analyseServiceHealth(byQuery), ...analyseDeploys(byQuery));
  if (wanted.has('capacity')) found.push(...analyseCapacity(byQuery));
  if (wanted.has('rightsizing')) {
    // Right-sizing defers to the memory rules, whether or not the health analysis was asked for.
    const memory = wanted.has('health') ? health : memoryTrouble(byQuery);
    found.push(...withoutMemoryTrouble(analyseRightsizing(byQuery, { ...DEFAULT_RIGHTSIZING_OPTIONS, ...options.rightsizing }), memory));
  }
  if (wanted.has('compliance')) found.push(...analyseCompliance(byQuery));
  if (wanted.has('security')) found.push(...analyseSecurity(byQuery));
  const unique = new Map<string, Finding>();
  for (const f of found) if (!unique.has(f.id)) unique.set(f.id, f);
  const min = options.minSeverity ? SEVERITY_RANK[options.minSeverity] : 0;
  return [...unique.values()]
    .filter((f) => SEVERITY_RANK[f.severity] >= min && f.evidence.length > 0)
    .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, options.limit ?? 200);
}
