/**
 * Where the current regime of a series starts: the last robust level shift, found by binary
 * segmentation with a median-based two-sample statistic. Used to fit the global models (the
 * robust trend's line and profile) on the current regime only: a Theil-Sen line drawn across a
 * step is wrong on both sides of it, while Holt-Winters and naive follow a step on their own.
 *
 * Statistic at a split τ: |median(after) − median(before)| divided by the pooled robust spread of
 * both segments around their own medians (1.4826 × MAD). A random walk has a large spread around
 * any segment median, so it shows no "shift"; a stable series that jumps has a small one.
 */
import type { FittedModel } from './model.js';
import { median } from './stats.js';

export interface LevelShiftOptions {
  /** Shortest segment on either side of a shift (points). */
  minSegment: number;
  /** Shift size in pooled robust spreads needed to accept a split (default 3). */
  threshold?: number;
  /** Candidate splits tested per segment (evenly spaced; default 48). */
  candidates?: number;
}

/** Index of the first point after the last accepted level shift (0 when none). */
export function currentRegimeStart(values: Float64Array, options: LevelShiftOptions): number {
  const threshold = options.threshold ?? 3;
  const candidates = options.candidates ?? 48;
  const minSegment = Math.max(2, options.minSegment);
  let start = 0;
  // Each accepted split moves the start forward; later shifts are searched after it.
  for (;;) {
    const split = strongestSplit(values, start, minSegment, candidates);
    if (!split || split.statistic < threshold) return start;
    start = split.index;
  }
}

function strongestSplit(
  values: Float64Array,
  start: number,
  minSegment: number,
  candidates: number,
): { index: number; statistic: number } | null {
  const n = values.length;
  const lo = start + minSegment;
  const hi = n - minSegment;
  if (hi < lo) return null;
  let best: { index: number; statistic: number } | null = null;
  const count = Math.min(candidates, hi - lo + 1);
  for (let k = 0; k < count; k++) {
    const tau = lo + Math.round((k * (hi - lo)) / Math.max(1, count - 1));
    const before = values.subarray(start, tau);
    const after = values.subarray(tau);
    const mb = median(before);
    const ma = median(after);
    if (!Number.isFinite(mb) || !Number.isFinite(ma)) continue;
    const deviations: number[] = [];
    for (const v of before) if (Number.isFinite(v)) deviations.push(Math.abs(v - mb));
    for (const v of after) if (Number.isFinite(v)) deviations.push(Math.abs(v - ma));
    // Quantised metrics can have a zero MAD; fall back to the mean absolute deviation (normal-consistent).
    const spread = 1.4826 * median(deviations) || (1.2533 * deviations.reduce((a, d) => a + d, 0)) / Math.max(1, deviations.length);
    const statistic = spread > 0 ? Math.abs(ma - mb) / spread : ma !== mb ? Infinity : 0;
    if (!best || statistic > best.statistic) best = { index: tau, statistic };
  }
  return best;
}

/**
 * Fits `fit` on the whole series, looks for level shifts in its residuals (so a steady ramp, which
 * the model explains, is not taken for a sequence of shifts) and, when one is found, refits on the
 * points after the last one. Residuals before the regime are NaN, so the array still lines up with
 * `values`.
 */
export function fitOnCurrentRegime(
  values: Float64Array,
  fit: (values: Float64Array) => FittedModel | null,
  minSegment: number,
): FittedModel | null {
  const full = fit(values);
  if (!full) return null;
  const start = currentRegimeStart(full.residuals, { minSegment });
  if (start === 0) return full;
  const recent = fit(values.subarray(start));
  if (!recent) return full;
  const residuals = new Float64Array(values.length).fill(Number.NaN);
  residuals.set(recent.residuals, start);
  return { ...recent, params: { ...recent.params, regimeStart: start }, residuals };
}
