/**
 * Which catalog queries each analysis reads, so the planner can fetch exactly what the analysers
 * need over the analysis window (all per-container / per-service queries, without filters).
 */
import type { AnalysisKind } from '../types.js';
import { ANOMALY_QUERIES } from './anomaly.js';
import { CAPACITY_QUERIES } from './capacity.js';
import { COMPLIANCE_QUERIES } from './compliance.js';
import { DEPLOY_QUERIES } from './deploys.js';
import { RIGHTSIZING_QUERIES } from './rightsizing.js';
import { SECURITY_QUERIES } from './security.js';

const HEALTH_QUERIES = [
  'oom_kills',
  'memory_usage_vs_limits',
  'memory_working_set',
  'memory_limits',
  'restarts',
  'pods_not_ready',
  'cpu_throttling',
  'cpu_usage_vs_limits',
  'quota_usage',
  'http_latency_p95',
  'http_error_ratio',
  ...DEPLOY_QUERIES,
];

export const QUERIES_BY_ANALYSIS: Readonly<Record<AnalysisKind, readonly string[]>> = {
  anomaly: Object.keys(ANOMALY_QUERIES),
  health: HEALTH_QUERIES,
  capacity: Object.keys(CAPACITY_QUERIES),
  rightsizing: RIGHTSIZING_QUERIES,
  compliance: COMPLIANCE_QUERIES,
  security: SECURITY_QUERIES,
};

/** The catalog queries the given analyses need, each once, in a stable order. */
export function findingsWindowQueries(analyses: readonly AnalysisKind[]): string[] {
  const out = new Set<string>();
  for (const a of analyses) for (const q of QUERIES_BY_ANALYSIS[a]) out.add(q);
  return [...out];
}
