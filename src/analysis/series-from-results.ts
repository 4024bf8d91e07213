/**
 * Turns the data layer's Prometheus-shaped answers into SeriesData (times in Unix seconds, values as
 * numbers), the input of the findings analysers. The workspace comes from the caller's verified
 * WorkspaceRef; queries are catalog names with filters, never raw PromQL.
 */
import type { PromQueryData } from '../clients/prometheus.js';
import type { CatalogArgs } from '../metrics/catalog/catalog.js';
import { MetricsError, type MetricsErrorKind } from '../metrics/metrics-error.js';
import type { MetricsSource, WorkspaceRef } from '../metrics/metrics-source.js';
import type { RangeWindow } from '../metrics/query-window.js';
import type { SeriesData } from './types.js';

/** A catalog query to fetch: a bare name or a name with its filters. */
export type SeriesQuery = string | { name: string; args?: CatalogArgs };

export interface SeriesFetchFailure {
  query: string;
  args: CatalogArgs;
  message: string;
  /** The data layer's error kind (invalid_query, unavailable, timeout, …) when it was a MetricsError. */
  kind?: MetricsErrorKind;
}

/** Prometheus JSON sample value ("NaN", "+Inf", "-Inf" included) to a number. */
export function parseSampleValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === '+Inf') return Infinity;
  if (value === '-Inf') return -Infinity;
  return typeof value === 'string' ? Number(value) : Number.NaN;
}

/** The series of one matrix (or vector) answer, labelled with the catalog query name. */
export function seriesFromMatrix(query: string, data: PromQueryData): SeriesData[] {
  const out: SeriesData[] = [];
  for (const raw of data.result) {
    if (typeof raw !== 'object' || raw === null) continue;
    const item = raw as { metric?: Record<string, string>; values?: unknown[]; value?: unknown };
    const points = data.resultType === 'matrix' ? (item.values ?? []) : item.value !== undefined ? [item.value] : [];
    const times: number[] = [];
    const values: number[] = [];
    for (const p of points) {
      if (!Array.isArray(p) || p.length < 2) continue;
      const t = Number(p[0]);
      if (!Number.isFinite(t)) continue;
      times.push(t);
      values.push(parseSampleValue(p[1]));
    }
    if (times.length > 0) out.push({ query, labels: { ...(item.metric ?? {}) }, times, values });
  }
  return out;
}

function normalise(q: SeriesQuery): { name: string; args: CatalogArgs } {
  return typeof q === 'string' ? { name: q, args: {} } : { name: q.name, args: q.args ?? {} };
}

/**
 * Range-fetches each catalog query over the window and returns every series; queries that fail are
 * reported in `failures` (with the data layer's message) instead of failing the whole fetch. Once
 * `signal` aborts, the requests in flight are aborted and the fetch rejects with the signal's reason.
 */
export async function fetchSeries(
  source: MetricsSource,
  ws: WorkspaceRef,
  queries: readonly SeriesQuery[],
  window: RangeWindow,
  signal?: AbortSignal,
): Promise<{ series: SeriesData[]; failures: SeriesFetchFailure[] }> {
  signal?.throwIfAborted();
  const answers = await Promise.all(
    queries.map(normalise).map(async ({ name, args }) => {
      try {
        const result = await source.range(ws, { kind: 'catalog', name, args }, window, signal ? { signal } : {});
        return { series: seriesFromMatrix(name, result.data) };
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const failure: SeriesFetchFailure = { query: name, args, message: err instanceof Error ? err.message : String(err) };
        if (err instanceof MetricsError) failure.kind = err.kind;
        return { failure };
      }
    }),
  );
  signal?.throwIfAborted();
  const series: SeriesData[] = [];
  const failures: SeriesFetchFailure[] = [];
  for (const a of answers) {
    if (a.series) series.push(...a.series);
    if (a.failure) failures.push(a.failure);
  }
  return { series, failures };
}
