/**
 * Robust level: how far the point is from the rolling median of the last `window` points, in units of
 * the rolling median absolute deviation. Median and MAD ignore the anomalies they are looking for,
 * unlike a mean and standard deviation. Catches spikes and fresh level shifts.
 *
 * The MAD is the rolling median of |x − median at arrival time|, which is exact for a stationary
 * window and costs one more O(log w) structure instead of recomputing all deviations.
 */
import { RollingQuantile } from './rolling-quantile.js';
import { directed, type DetectorOptions, type SurpriseModel } from './types.js';

export class RobustLevelModel implements SurpriseModel {
  private readonly median: RollingQuantile;
  private readonly mad: RollingQuantile;

  constructor(
    private readonly opts: DetectorOptions,
    window = 256,
  ) {
    this.median = new RollingQuantile(window, 0.5);
    this.mad = new RollingQuantile(window, 0.5);
  }

  surprise(_time: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    let z = 0;
    if (this.median.length >= 8) {
      const med = this.median.value();
      z = directed(value - med, robustScale(this.mad.value(), med), this.opts);
      this.mad.push(Math.abs(value - med));
    }
    this.median.push(value);
    return z;
  }

  stateBytes(): number {
    return this.median.stateBytes() + this.mad.stateBytes();
  }
}

/**
 * 1.4826·MAD estimates σ for Gaussian noise. A constant or heavily quantised history has MAD = 0, so the
 * scale is floored relative to the level: any change then scores high but finite, which is right for a
 * series that was flat.
 */
export function robustScale(mad: number, level: number): number {
  return Math.max(1.4826 * mad, 1e-12 * Math.abs(level), 1e-9);
}
