/**
 * Puts an irregular, gappy metric series onto a regular time grid, which every forecasting model
 * here assumes. The step is the median time delta, so a few late scrapes or a daylight-saving
 * repeat do not change it. Short gaps are linearly interpolated; long gaps stay NaN and the models
 * treat them as missing (Holt-Winters propagates its state without an update, Theil-Sen skips them),
 * because inventing hours of data by interpolation would bias the fit.
 */
import { median } from './stats.js';
import { type SeriesInput, toTimedValues } from './series-input.js';

/** A series on a regular grid: value `i` belongs to time `startMs + i * stepMs`. */
export interface RegularSeries {
  startMs: number;
  stepMs: number;
  /** Grid values; NaN where a long gap was left unfilled. First and last values are finite. */
  values: Float64Array;
  /** Grid points that came from interpolation over a short gap. */
  filledPoints: number;
  /** Grid points left NaN (inside long gaps). */
  missingPoints: number;
}

export interface RegularizeOptions {
  /** Grid step; default: the median positive time delta of the input. */
  stepMs?: number;
  /** Gaps of at most this many missing grid points are linearly interpolated (default 6). */
  maxFillSteps?: number;
  /** Keep at most this many of the most recent grid points (default 1,000,000) to bound memory. */
  maxPoints?: number;
}

/** Median positive delta between consecutive finite timestamps; NaN if there is none. */
export function inferStepMs(times: ArrayLike<number>): number {
  const deltas: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (Number.isFinite(d) && d > 0) deltas.push(d);
  }
  return deltas.length === 0 ? Number.NaN : median(deltas);
}

/**
 * Regularises `input` onto a grid of step `stepMs` (median delta by default). Samples are assigned
 * to the nearest grid point and averaged when several land on one point. Leading and trailing
 * missing values are trimmed. Returns `null` when the input has no finite value.
 * A single finite value yields a one-point series (stepMs NaN unless given).
 */
export function regularize(input: SeriesInput, options: RegularizeOptions = {}): RegularSeries | null {
  const { times, values } = toTimedValues(input);
  const maxFill = options.maxFillSteps ?? 6;
  const maxPoints = options.maxPoints ?? 1_000_000;
  let first = -1;
  let last = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return null;
  const step = options.stepMs ?? inferStepMs(times);
  if (!(step > 0) || first === last) {
    return {
      startMs: times[last]!,
      stepMs: step > 0 ? step : Number.NaN,
      values: Float64Array.of(values[last]!),
      filledPoints: 0,
      missingPoints: 0,
    };
  }
  const endMs = times[last]!;
  let startMs = times[first]!;
  let length = Math.round((endMs - startMs) / step) + 1;
  if (length > maxPoints) {
    // Anchor the grid on the newest sample so the most recent data is kept exactly.
    startMs = endMs - (maxPoints - 1) * step;
    length = maxPoints;
  }
  const sums = new Float64Array(length);
  const counts = new Uint32Array(length);
  for (let i = first; i <= last; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const k = Math.round((times[i]! - startMs) / step);
    if (k < 0 || k >= length) continue;
    sums[k] = sums[k]! + v;
    counts[k] = counts[k]! + 1;
  }
  const grid = new Float64Array(length).fill(Number.NaN);
  for (let k = 0; k < length; k++) if (counts[k]! > 0) grid[k] = sums[k]! / counts[k]!;
  // The grid may start inside a gap when maxPoints cut it; trim to the first observed point.
  let lo = 0;
  while (lo < length && !Number.isFinite(grid[lo]!)) lo++;
  const trimmed = lo > 0 ? grid.slice(lo) : grid;
  const { filled, missing } = fillShortGaps(trimmed, maxFill);
  return { startMs: startMs + lo * step, stepMs: step, values: trimmed, filledPoints: filled, missingPoints: missing };
}

/** Linearly interpolates in place every interior run of at most `maxFill` NaNs. */
export function fillShortGaps(values: Float64Array, maxFill: number): { filled: number; missing: number } {
  let filled = 0;
  let missing = 0;
  let i = 0;
  while (i < values.length) {
    if (Number.isFinite(values[i]!)) {
      i++;
      continue;
    }
    const gapStart = i;
    while (i < values.length && !Number.isFinite(values[i]!)) i++;
    const gapLength = i - gapStart;
    const before = gapStart - 1;
    if (before >= 0 && i < values.length && gapLength <= maxFill) {
      const a = values[before]!;
      const b = values[i]!;
      for (let k = gapStart; k < i; k++) values[k] = a + ((b - a) * (k - before)) / (i - before);
      filled += gapLength;
    } else {
      missing += gapLength;
    }
  }
  return { filled, missing };
}
