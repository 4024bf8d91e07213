/**
 * Two outlier-proof baselines: forecasts that are medians of observed values, so a spike in the
 * last hour (or a spike at this time yesterday) cannot move them.
 * - recent median: every step is the median of the last `window` values (a robust level for a
 *   series that jumps around a stable mean, where any trend or last value is noise);
 * - seasonal median: step h is the median of the values at the same phase of the last `cycles`
 *   seasons (seasonal-naive without its one-day-ago spike sensitivity).
 *
 * Intervals: empirical quantiles of the in-sample errors of the same rule (constant in h, since
 * the forecast is a level, not an accumulated walk). The recent median's errors are taken
 * ⌈window/2⌉ steps ahead, the middle of the horizon it is used for.
 */
import { bandForecast, type FittedModel, residualBand } from './model.js';
import { median } from './stats.js';

/** Median of the last `window` values; null without a finite value. */
export function fitRecentMedian(values: Float64Array, window: number): FittedModel | null {
  const n = values.length;
  const w = Math.max(1, Math.min(window, n));
  const level = median(values.subarray(n - w));
  if (!Number.isFinite(level)) return null;
  const lead = Math.ceil(w / 2);
  const residuals = new Float64Array(n).fill(Number.NaN);
  // Sliding window of the finite values in values[end − w, end), kept sorted: O(n·w), not O(n·w log w).
  const inWindow: number[] = [];
  for (let end = 1; end + lead - 1 < n; end++) {
    insertSorted(inWindow, values[end - 1]!);
    if (end > w) removeSorted(inWindow, values[end - w - 1]!);
    if (end < w || inWindow.length === 0) continue;
    const t = end + lead - 1;
    const y = values[t]!;
    if (Number.isFinite(y)) residuals[t] = y - sortedMedian(inWindow);
  }
  return {
    name: 'recent-median',
    seasonPeriod: null,
    params: { window: w },
    residuals,
    predict(horizon, lvl) {
      return bandForecast(new Float64Array(horizon).fill(level), residualBand(residuals, lvl), () => 1);
    },
  };
}

/** Per-phase median of the last `cycles` seasons; null with under `cycles` full seasons. */
export function fitSeasonalMedian(values: Float64Array, period: number, cycles = 3): FittedModel | null {
  const n = values.length;
  if (period < 2 || n < cycles * period) return null;
  const at = (t: number): number => {
    const seen: number[] = [];
    for (let k = 1; k <= cycles && t - k * period >= 0; k++) {
      const v = values[t - k * period]!;
      if (Number.isFinite(v)) seen.push(v);
    }
    return seen.length > 0 ? median(seen) : Number.NaN;
  };
  const residuals = new Float64Array(n).fill(Number.NaN);
  for (let t = cycles * period; t < n; t++) {
    const f = at(t);
    if (Number.isFinite(values[t]!) && Number.isFinite(f)) residuals[t] = values[t]! - f;
  }
  return {
    name: 'seasonal-median',
    seasonPeriod: period,
    params: { period, cycles },
    residuals,
    predict(horizon, lvl) {
      const mean = new Float64Array(horizon);
      // Phases more than a season ahead reuse the forecast one season earlier's sources.
      for (let h = 1; h <= horizon; h++) mean[h - 1] = at(n - 1 + h - Math.floor((h - 1) / period) * period);
      return bandForecast(mean, residualBand(residuals, lvl), () => 1);
    },
  };
}

function insertSorted(sorted: number[], v: number): void {
  if (!Number.isFinite(v)) return;
  let i = sorted.length;
  while (i > 0 && sorted[i - 1]! > v) i--;
  sorted.splice(i, 0, v);
}

function removeSorted(sorted: number[], v: number): void {
  if (!Number.isFinite(v)) return;
  const i = sorted.indexOf(v);
  if (i >= 0) sorted.splice(i, 1);
}

function sortedMedian(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
