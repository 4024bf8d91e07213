/**
 * The recent-median forecast: every step is the median of the last `window` values ('auto' uses
 * window = the horizon). It is the naive forecast made robust: a series that wanders (where a
 * trend or a season adds nothing) is still best forecast by its current level, but the last value
 * alone is the noisiest estimate of that level, and one spike at the origin is carried through
 * the whole horizon. Replacing naive by it among 'auto''s candidates is the issue-15 experiment
 * that passed cross-validation (evals/forecast/README.md). With window 1 it is the naive forecast.
 *
 * Intervals: empirical quantiles of the rule's in-sample errors ⌈window/2⌉ steps ahead (the middle
 * of the horizon it is used for), constant in h: the forecast is a level, not an accumulated walk.
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
