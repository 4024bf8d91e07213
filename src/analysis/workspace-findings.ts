/**
 * Findings of a workspace over a recent window, straight from the metrics data layer (confined to
 * the caller's workspace) and the deterministic analysers. Used by the alerts and recommendations
 * endpoints, which answer without running the graph (no plan, no LLM, no proposed actions). The
 * analysers run on the given engine (the worker pool in the service); `signal` stops the fetch and
 * the analysis (the request's time budget, or its client gone).
 */
import type { MetricsSource, WorkspaceRef } from '../metrics/metrics-source.js';
import { MetricsError } from '../metrics/metrics-error.js';
import { findingsWindowQueries } from './findings/index.js';
import { fetchSeries } from './series-from-results.js';
import type { AnalysisKind, Finding } from './types.js';
import type { FindingsEngine } from './workers/findings-engine.js';

export async function workspaceFindings(
  metrics: MetricsSource,
  ws: WorkspaceRef,
  analyses: AnalysisKind[],
  window: { hours: number; nowMs: number },
  work: { engine: FindingsEngine; signal?: AbortSignal },
): Promise<{ findings: Finding[]; failedQueries: string[] }> {
  const span = window.hours * 3600;
  const step = Math.max(60, Math.ceil(span / 360 / 60) * 60);
  const end = Math.floor(window.nowMs / 1000 / step) * step;
  const queries = findingsWindowQueries(analyses).map((name) => ({ name }));
  const { series, failures } = await fetchSeries(metrics, ws, queries, { start: end - span, end, step }, work.signal);
  if (series.length === 0 && failures.length > 0 && failures.length === queries.length) {
    throw new MetricsError(failures[0]!.kind ?? 'upstream', failures[0]!.message);
  }
  const findings = await work.engine.collect(series, analyses, { limit: 200 }, work.signal);
  return { findings, failedQueries: failures.map((f) => f.query) };
}
