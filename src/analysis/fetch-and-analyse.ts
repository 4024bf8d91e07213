/**
 * The one fetch-and-analyse step: range-fetch catalog queries over a window in the caller's
 * workspace, then run the deterministic analysers on the series. Used by the analysis tools, the
 * diagnose_workspace tool and the alerts and recommendations endpoints; the analysis graph runs the
 * same two halves as two nodes (its fetch is the audited fetch_series tool, its analysis
 * `analyseSeries`). What to do when nothing came back is the caller's choice (an error answer, no
 * data, an HTTP status), so the step reports the failures and does not judge them.
 */
import type { MetricsSource, WorkspaceRef } from '../metrics/metrics-source.js';
import type { RangeWindow } from '../metrics/query-window.js';
import type { CollectOptions } from './findings/index.js';
import { fetchSeries, type SeriesFetchFailure, type SeriesQuery } from './series-from-results.js';
import type { AnalysisKind, Finding, SeriesData } from './types.js';
import { inlineFindingsEngine, type FindingsEngine } from './workers/findings-engine.js';

export interface AnalysisWork {
  /** Where the analysers run (the worker pool in the service); absent: inline, on the caller's thread. */
  engine?: FindingsEngine | undefined;
  /** Stops the fetch and the analysis (a time budget, a caller gone). */
  signal?: AbortSignal | undefined;
}

export interface FetchedFindings {
  /** How many series were fetched and analysed. */
  seriesAnalysed: number;
  /** Queries that failed (the others still count). */
  failures: SeriesFetchFailure[];
  /** Most severe first; empty when no series came back (nothing was analysed). */
  findings: Finding[];
}

/** The analysers over the series, on the given engine. */
export function analyseSeries(
  series: readonly SeriesData[],
  analyses: readonly AnalysisKind[],
  options: CollectOptions,
  work: AnalysisWork,
): Promise<Finding[]> {
  return (work.engine ?? inlineFindingsEngine).collect(series, analyses, options, work.signal);
}

export async function fetchAndAnalyse(
  metrics: MetricsSource,
  ws: WorkspaceRef,
  what: { queries: readonly SeriesQuery[]; window: RangeWindow; analyses: readonly AnalysisKind[]; options?: CollectOptions },
  work: AnalysisWork = {},
): Promise<FetchedFindings> {
  const { series, failures } = await fetchSeries(metrics, ws, what.queries, what.window, work.signal);
  // No series, no findings (the analysers find nothing in nothing): the engine is not troubled.
  const findings = series.length > 0 ? await analyseSeries(series, what.analyses, what.options ?? {}, work) : [];
  return { seriesAnalysed: series.length, failures, findings };
}
