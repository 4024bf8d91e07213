/**
 * Summarises one usage series (CPU cores or working-set bytes) into what sizing needs: how much
 * usable history there is, a percentile and the peak. NaN / missing samples are ignored.
 */
import { type SeriesInput, toTimedValues } from '../forecast/series-input.js';
import { quantileSorted } from '../forecast/stats.js';

export interface UsageProfile {
  /** Finite samples. */
  points: number;
  /** Time between the first and the last finite sample (0 with fewer than two). */
  spanMs: number;
  peak: number;
  mean: number;
  /** The requested percentile (NaN without samples). */
  percentile: number;
}

/** Profiles `series`; `percentile` is a fraction in (0, 1]. Negative samples (counter resets) are ignored too. */
export function profileUsage(series: SeriesInput, percentile: number): UsageProfile {
  const { times, values } = toTimedValues(series);
  const kept: number[] = [];
  let first = Number.NaN;
  let last = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || v < 0) continue;
    kept.push(v);
    if (Number.isNaN(first)) first = times[i]!;
    last = times[i]!;
  }
  const sorted = Float64Array.from(kept).sort();
  const n = sorted.length;
  return {
    points: n,
    spanMs: n >= 2 ? last - first : 0,
    peak: n > 0 ? sorted[n - 1]! : Number.NaN,
    mean: n > 0 ? kept.reduce((a, b) => a + b, 0) / n : Number.NaN,
    percentile: quantileSorted(sorted, percentile),
  };
}
