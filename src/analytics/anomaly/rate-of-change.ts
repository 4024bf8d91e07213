/**
 * Rate of change: the step from the previous point, against the rolling median and MAD of past steps.
 * Sees sharp jumps even when the new value stays inside the normal range (e.g. a drop from a daily peak
 * to the night level at noon). Steps across a gap longer than `maxGapSteps` typical intervals are not
 * rates, so the model restarts its previous point instead of scoring them.
 */
import { RollingQuantile } from './rolling-quantile.js';
import { robustScale } from './robust-level.js';
import { directed, type DetectorOptions, type SurpriseModel } from './types.js';

export class RateOfChangeModel implements SurpriseModel {
  private readonly median: RollingQuantile;
  private readonly mad: RollingQuantile;
  private prevTime = Number.NaN;
  private prevValue = Number.NaN;
  private typicalDt = Number.NaN;

  constructor(
    private readonly opts: DetectorOptions,
    window = 256,
    private readonly maxGapSteps = 10,
  ) {
    this.median = new RollingQuantile(window, 0.5);
    this.mad = new RollingQuantile(window, 0.5);
  }

  surprise(time: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const dt = time - this.prevTime;
    const gap = dt > this.maxGapSteps * this.typicalDt;
    if (dt > 0) this.typicalDt = Number.isFinite(this.typicalDt) ? this.typicalDt + 0.05 * (dt - this.typicalDt) : dt;
    const step = value - this.prevValue;
    this.prevTime = time;
    this.prevValue = value;
    if (!Number.isFinite(step) || gap) return 0;
    let z = 0;
    if (this.median.length >= 8) {
      const med = this.median.value();
      z = directed(step - med, robustScale(this.mad.value(), this.prevValue), this.opts);
      this.mad.push(Math.abs(step - med));
    }
    this.median.push(step);
    return z;
  }

  stateBytes(): number {
    return this.median.stateBytes() + this.mad.stateBytes() + 24;
  }
}
