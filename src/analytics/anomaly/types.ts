/**
 * Shared contracts of the streaming anomaly detectors.
 *
 * A detector sees one series, point by point in file order, and answers each point at once using only
 * the points seen so far: it never looks ahead, so its output can drive alerts in real time.
 */

export interface StreamingDetector {
  /** Consumes the next point (unix ms, value) and returns its anomaly score in [0, 1]. */
  update(time: number, value: number): number;
  /**
   * Batch form of `update`: consumes points from..to−1 of (times, values) in order and writes their scores to
   * out[from..to−1], exactly as `out[i] = update(times[i], values[i])` would (same scores, same state after, so
   * both can be mixed on one detector). Throws a RangeError when the range does not fit the three arrays.
   */
  scoreInto(times: Float64Array, values: Float64Array, out: Float64Array, from?: number, to?: number): void;
  /** Approximate bytes of state held for this series (bounded, independent of the series length). */
  stateBytes(): number;
}

/** Which deviations count: above the expected value, below it, or both (vmanomaly's detection_direction). */
export type Direction = 'up' | 'down' | 'both';

export interface DetectorOptions {
  direction: Direction;
  /** Deviations smaller than this, in the series' own units, never count (vmanomaly's min_dev_from_expected). */
  minDev: number;
}

export const DEFAULT_OPTIONS: DetectorOptions = { direction: 'both', minDev: 0 };

/**
 * A model turns each point into a raw surprise ≥ 0 (e.g. a robust z-score). Surprises of different models
 * live on different scales; the calibrator (calibrate.ts) maps them to tail probabilities.
 */
export interface SurpriseModel {
  /** Returns the surprise of this point given the past, then learns from it. NaN input → 0, no learning. */
  surprise(time: number, value: number): number;
  stateBytes(): number;
}

/** Applies direction and the absolute floor to a signed deviation, returning a standardised surprise. */
export function directed(deviation: number, scale: number, opts: DetectorOptions): number {
  if (opts.direction === 'up' && deviation < 0) return 0;
  if (opts.direction === 'down' && deviation > 0) return 0;
  const size = Math.abs(deviation);
  if (!(size > opts.minDev)) return 0; // also catches NaN
  return Math.min(size / scale, MAX_SURPRISE);
}

/** Caps surprises so a zero-variance history gives a large, finite value rather than Infinity. */
export const MAX_SURPRISE = 1e6;

/** Throws a RangeError unless from..to−1 is a valid (possibly empty) range of times, values and out. */
export function checkRange(times: Float64Array, values: Float64Array, out: Float64Array, from: number, to: number): void {
  if (!(
    Number.isInteger(from) &&
    Number.isInteger(to) &&
    from >= 0 &&
    from <= to &&
    to <= times.length &&
    to <= values.length &&
    to <= out.length
  )) {
    throw new RangeError(
      `scoreInto: range ${from}..${to} does not fit times (${times.length}), values (${values.length}) and out (${out.length})`,
    );
  }
}

/**
 * Base of detectors that define only `update`: `scoreInto` is the loop over it (the fused default detector
 * has its own, faster loop).
 */
export abstract class PointwiseDetector implements StreamingDetector {
  abstract update(time: number, value: number): number;
  abstract stateBytes(): number;

  scoreInto(times: Float64Array, values: Float64Array, out: Float64Array, from = 0, to: number = times.length): void {
    checkRange(times, values, out, from, to);
    for (let i = from; i < to; i++) out[i] = this.update(times[i]!, values[i]!);
  }
}
