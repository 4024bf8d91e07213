/**
 * Findings of a workspace over a recent window, straight from the metrics data layer (confined to
 * the caller's workspace) and the deterministic analysers. Used by the alerts and recommendations
 * endpoints, which answer without running the graph (no plan, no LLM, no proposed actions). The
 * analysers run on the given engine (the worker pool in the service); `signal` stops the fetch and
 * the analysis (the request's time budget, or its client gone).
 */
import type { MetricsSource, WorkspaceRef } from '../metrics/metrics-source.js';
import { MetricsError } from '../metrics/metrics-error.js';
import { fetchAndAnalyse } from './fetch-and-analyse.js';
import { findingsWindowQueries } from './findings/index.js';
import type { AnalysisKind, Finding } from './types.js';
import { analysisWindow } from './window.js';
import type { FindingsEngine } from './workers/findings-engine.js';

export async function workspaceFindings(
  metrics: MetricsSource,
  ws: WorkspaceRef,
  analyses: AnalysisKind[],
  window: { hours: number; nowMs: number },
  work: { engine: FindingsEngine; signal?: AbortSignal },
): Promise<{ findings: Finding[]; failedQueries: string[]; seriesAnalysed: number }> {
  const queries = findingsWindowQueries(analyses).map((name) => ({ name }));
  const { seriesAnalysed, failures, findings } = await fetchAndAnalyse(
    metrics,
    ws,
    {
      queries,
      window: analysisWindow({ spanSeconds: window.hours * 3600, endSeconds: window.nowMs / 1000 }),
      analyses,
      options: { limit: 200 },
    },
    work,
  );
  if (seriesAnalysed === 0 && failures.length > 0 && failures.length === queries.length) {
    throw new MetricsError(failures[0]!.kind ?? 'upstream', failures[0]!.message);
  }
  return { findings, failedQueries: failures.map((f) => f.query), seriesAnalysed };
}
