/**
 * Are time-to-exhaustion ranges honest? Rolling-origin backtest on real series: at each origin the history
 * before it is given to timeToExhaustion with a limit placed above the current value (by a share of the
 * history's own robust range, so the question never peeks at the future), and the answer's range
 * [etaLow, etaHigh] is checked against when the series really first reached the limit afterwards
 * (or that it did not within the horizon). Pure: no I/O.
 */
import { timeToExhaustion, type ExhaustionOptions, type ExhaustionResult } from '../../src/analytics/forecast/time-to-exhaustion.js';
import { inferStepMs } from '../../src/analytics/forecast/regularize.js';
import { quantileSorted, sortedFinite } from '../../src/analytics/forecast/stats.js';

export interface ExhaustionBacktestOptions {
  /** How far ahead each question looks (default 2 days). */
  horizonMs?: number;
  /** History given to the forecaster before each origin (default 7 days). */
  historyMs?: number;
  /** Origins per series, evenly spaced over the rows that have the full history and horizon (default 8). */
  origins?: number;
  /** Limits: last value + d × (q99 − q1 of the history), one question per d (default 0.25, 0.5, 1, 2). */
  distances?: readonly number[];
  model?: ExhaustionOptions['model'];
  level?: number;
}

export interface ExhaustionCase {
  originMs: number;
  distance: number;
  limit: number;
  /** Milliseconds from the origin to the first sample at or above the limit; null: not within the horizon. */
  truthMs: number | null;
  status: ExhaustionResult['status'];
  etaMs: number | null;
  etaLowMs: number | null;
  etaHighMs: number | null;
  /** The truth lies in [etaLow, etaHigh] (null ends are open: "not within the horizon"), give or take one step. */
  covered: boolean;
  /** The point answer's side: the point ETA is within the horizon exactly when the truth is. */
  statusRight: boolean;
  /** The stated chance of reaching the limit within the horizon. */
  probability: number;
}

/**
 * Whether `truth` (null = not within the horizon) lies in [low, high] (null ends = beyond the horizon), with
 * `slack` on each side for the forecast's interpolation within a step against the truth's sampled time.
 */
export function rangeCovers(truth: number | null, low: number | null, high: number | null, slack: number): boolean {
  const t = truth ?? Number.POSITIVE_INFINITY;
  const lo = low ?? Number.POSITIVE_INFINITY;
  const hi = high ?? Number.POSITIVE_INFINITY;
  return lo - slack <= t && t <= hi + slack;
}

export function exhaustionBacktest(times: Float64Array, values: Float64Array, options: ExhaustionBacktestOptions = {}): ExhaustionCase[] {
  const horizonMs = options.horizonMs ?? 2 * 86_400_000;
  const historyMs = options.historyMs ?? 7 * 86_400_000;
  const originCount = options.origins ?? 8;
  const distances = options.distances ?? [0.25, 0.5, 1, 2];
  const stepMs = inferStepMs(times);
  const n = times.length;
  if (n < 3 || !(stepMs > 0)) return [];
  // Rows usable as origins: a full history before and a full horizon after.
  let first = 0;
  while (first < n && times[first]! - times[0]! < historyMs) first++;
  let last = n - 1;
  while (last > first && times[n - 1]! - times[last]! < horizonMs) last--;
  if (last <= first) return [];
  const cases: ExhaustionCase[] = [];
  for (let k = 0; k < originCount; k++) {
    const o = originCount === 1 ? last : Math.round(first + ((last - first) * k) / (originCount - 1));
    const originMs = times[o]!;
    let from = o;
    while (from > 0 && originMs - times[from - 1]! <= historyMs) from--;
    const history = { times: times.subarray(from, o + 1), values: values.subarray(from, o + 1) };
    const sorted = sortedFinite(history.values);
    const lastValue = values[o]!;
    const spread = quantileSorted(sorted, 0.99) - quantileSorted(sorted, 0.01); // NaN without a finite value
    if (!Number.isFinite(lastValue) || !(spread > 0)) continue;
    for (const d of distances) {
      const limit = lastValue + d * spread;
      let truthMs: number | null = null;
      for (let i = o + 1; i < n && times[i]! - originMs <= horizonMs; i++) {
        if (values[i]! >= limit) {
          truthMs = times[i]! - originMs;
          break;
        }
      }
      const r = timeToExhaustion(history, limit, { horizonMs, model: options.model ?? 'robust-trend', level: options.level ?? 0.9 });
      if (r.status === 'insufficient_data' || r.status === 'exhausted') continue;
      cases.push({
        originMs,
        distance: d,
        limit,
        truthMs,
        status: r.status,
        etaMs: r.etaMs,
        etaLowMs: r.etaLowMs,
        etaHighMs: r.etaHighMs,
        covered: rangeCovers(truthMs, r.etaLowMs, r.etaHighMs, stepMs),
        statusRight: (r.etaMs !== null) === (truthMs !== null),
        probability: r.probability ?? 0,
      });
    }
  }
  return cases;
}
