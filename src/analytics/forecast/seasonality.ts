/**
 * Detects whether a regular series has a daily season, the only season Kubernetes workload metrics
 * reliably show at our horizons (traffic follows users' days). Detection is an autocorrelation test
 * at lag = 1 day / step on the series with its slow trend removed by a centred one-day moving
 * average, so a ramp or level shift is not mistaken for seasonality.
 */
import { autocorrelation, quantile } from './stats.js';

export const DAY_MS = 86_400_000;

export interface SeasonDetectionOptions {
  /** Season length to test (default one day). */
  seasonMs?: number;
  /** Minimum autocorrelation at the seasonal lag (default 0.3). */
  minAutocorrelation?: number;
  /** Complete seasons required before a season is even tested (default 3). */
  minCycles?: number;
}

export interface SeasonDetection {
  /** Season length in grid steps, or null when no season is used. */
  period: number | null;
  /** Autocorrelation of the detrended series at the seasonal lag (NaN when not computed). */
  autocorrelation: number;
  /** Why the season was rejected, when it was. */
  reason?: string;
}

/**
 * Tests for a season of `seasonMs` (one day by default) in `values` sampled every `stepMs`.
 * A season is accepted when the series covers `minCycles` seasons, the detrended autocorrelation at
 * the seasonal lag (after winsorising the 2% tails) is at least `minAutocorrelation`, and it exceeds the autocorrelation at half the
 * lag (a season peaks at its period; plain persistence decays monotonically and fails this test).
 */
export function detectSeason(values: ArrayLike<number>, stepMs: number, options: SeasonDetectionOptions = {}): SeasonDetection {
  const seasonMs = options.seasonMs ?? DAY_MS;
  const minAcf = options.minAutocorrelation ?? 0.3;
  const minCycles = options.minCycles ?? 3;
  if (!(stepMs > 0)) return { period: null, autocorrelation: Number.NaN, reason: 'unknown sampling step' };
  const period = Math.round(seasonMs / stepMs);
  if (period < 2) return { period: null, autocorrelation: Number.NaN, reason: 'step too coarse for the season' };
  if (values.length < minCycles * period) {
    return { period: null, autocorrelation: Number.NaN, reason: `fewer than ${minCycles} seasons of data` };
  }
  // Winsorise at the 2nd/98th percentiles: a handful of spikes (a viral tweet, a batch job) would
  // otherwise dominate the variance and hide a clear daily rhythm.
  const remainder = winsorise(subtractMovingAverage(values, period), 0.02);
  const acf = autocorrelation(remainder, period);
  const acfHalf = autocorrelation(remainder, Math.max(1, Math.round(period / 2)));
  if (!Number.isFinite(acf) || acf < minAcf) {
    return { period: null, autocorrelation: acf, reason: `seasonal autocorrelation ${fmt(acf)} below ${minAcf}` };
  }
  if (Number.isFinite(acfHalf) && acfHalf >= acf) {
    return { period: null, autocorrelation: acf, reason: 'autocorrelation does not peak at the seasonal lag' };
  }
  return { period, autocorrelation: acf };
}

/**
 * `values` minus their centred moving average over `window` points (NaN-aware: the average uses
 * the finite values in the window; windows with under half their points finite give NaN).
 */
export function subtractMovingAverage(values: ArrayLike<number>, window: number): Float64Array {
  const n = values.length;
  const sum = new Float64Array(n + 1);
  const count = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const ok = Number.isFinite(v);
    sum[i + 1] = sum[i]! + (ok ? v : 0);
    count[i + 1] = count[i]! + (ok ? 1 : 0);
  }
  const half = Math.floor(window / 2);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, lo + window);
    const c = count[hi]! - count[lo]!;
    const v = values[i]!;
    out[i] = Number.isFinite(v) && c >= window / 2 ? v - (sum[hi]! - sum[lo]!) / c : Number.NaN;
  }
  return out;
}

/** Clips finite values to their [p, 1 − p] quantiles (NaN stays NaN). */
export function winsorise(values: Float64Array, p: number): Float64Array {
  const lo = quantile(values, p);
  const hi = quantile(values, 1 - p);
  return values.map((v) => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : Number.NaN));
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : 'n/a';
}
