/** Shared fixtures and small PromQL-like helpers (increase, rate, histogram_quantile) over RawSeries. */
import type { RawSeries, TimeWindow } from '../../../../src/metrics/scenarios/index.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
/** Tuesday 2025-06-10 15:00 UTC: the window spans late morning to mid afternoon. */
export const END = Date.UTC(2025, 5, 10, 15, 0, 0);
export const WINDOW_6H: TimeWindow = { startMs: END - 6 * HOUR, endMs: END, stepMs: 30_000 };

export function matches(s: RawSeries, metric: string, labels: Record<string, string> = {}): boolean {
  return s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v);
}

export function select(all: readonly RawSeries[], metric: string, labels: Record<string, string> = {}): RawSeries[] {
  return all.filter((s) => matches(s, metric, labels));
}

export function identity(s: RawSeries): string {
  const labels = Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${s.metric}{${labels.map(([k, v]) => `${k}=${v}`).join(',')}}`;
}

/** Pods of a workload (by the ReplicaSet naming convention). */
export function isPodOf(s: RawSeries, workload: string): boolean {
  const pod = s.labels.pod ?? '';
  return pod.startsWith(`${workload}-`) && pod.length === workload.length + 17;
}

export function valueAt(s: RawSeries, t: number): number | undefined {
  for (let i = 0; i < s.times.length; i++) if (s.times[i] === t) return s.values[i];
  return undefined;
}

export function lastValue(s: RawSeries): number {
  return s.values[s.values.length - 1]!;
}

/** Counter increase over [from, to] (samples inside the range), Prometheus-style reset handling. */
export function increase(s: RawSeries, from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY): number {
  let total = 0;
  let prev: number | undefined;
  for (let i = 0; i < s.times.length; i++) {
    const t = s.times[i]!;
    if (t < from || t > to) continue;
    const v = s.values[i]!;
    if (prev !== undefined) total += v >= prev ? v - prev : v;
    prev = v;
  }
  return total;
}

/** Sum over series of increase() divided by the covered seconds: an average rate per second. */
export function rate(series: readonly RawSeries[], from: number, to: number): number {
  return series.reduce((sum, s) => sum + increase(s, from, to), 0) / ((to - from) / 1000);
}

/** Max over series of a gauge within [from, to]. */
export function maxOf(series: readonly RawSeries[], from = Number.NEGATIVE_INFINITY, to = Number.POSITIVE_INFINITY): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (let i = 0; i < s.times.length; i++) if (s.times[i]! >= from && s.times[i]! <= to) max = Math.max(max, s.values[i]!);
  }
  return max;
}

/** histogram_quantile over summed bucket increases within [from, to]. */
export function histogramQuantile(q: number, buckets: readonly RawSeries[], from: number, to: number): number {
  const byLe = new Map<number, number>();
  for (const s of buckets) {
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) ?? 0) + increase(s, from, to));
  }
  const sorted = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted[sorted.length - 1]?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Number.POSITIVE_INFINITY) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(count - prevCount, 1e-9);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** Least-squares line through (t, v): slope per ms and intercept. */
export function linearFit(times: Float64Array, values: Float64Array): { slope: number; intercept: number } {
  const n = times.length;
  let mt = 0;
  let mv = 0;
  for (let i = 0; i < n; i++) {
    mt += times[i]!;
    mv += values[i]!;
  }
  mt /= n;
  mv /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (times[i]! - mt) * (values[i]! - mv);
    den += (times[i]! - mt) ** 2;
  }
  const slope = num / den;
  return { slope, intercept: mv - slope * mt };
}
