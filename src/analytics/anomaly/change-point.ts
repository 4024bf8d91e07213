/**
 * Change point: two-sided CUSUM (Page 1954) on the value standardised by a slow exponentially weighted
 * mean and mean absolute deviation. Small persistent shifts that no single point reveals accumulate
 * until they stand out; the drift allowance `k` (in σ) keeps noise from accumulating. The surprise is
 * the larger CUSUM statistic, so its calibration sees how large the statistic usually grows on this
 * series. The statistics restart once the baseline has absorbed a shift (both back to 0).
 */
import { directed, type DetectorOptions, type SurpriseModel } from './types.js';

export class ChangePointModel implements SurpriseModel {
  private mean = Number.NaN;
  private spread = 0;
  private up = 0;
  private down = 0;
  private n = 0;

  constructor(
    private readonly opts: DetectorOptions,
    private readonly alpha = 0.01,
    private readonly k = 0.5,
  ) {}

  surprise(_time: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    if (Number.isNaN(this.mean)) this.mean = value;
    const dev = value - this.mean;
    const scale = Math.max(1.2533 * this.spread, 1e-12 * Math.abs(this.mean), 1e-9);
    let z = 0;
    if (this.n >= 16) {
      const s = Math.max(Math.min(dev / scale, 50), -50); // clip so one spike is not a "shift"
      this.up = Math.max(0, this.up + s - this.k);
      this.down = Math.max(0, this.down - s - this.k);
      const signed = this.up >= this.down ? this.up : -this.down;
      z = directed(signed * scale, scale, this.opts);
    }
    this.n++;
    this.mean += this.alpha * dev;
    this.spread += this.alpha * (Math.abs(dev) - this.spread);
    return z;
  }

  stateBytes(): number {
    return 5 * 8;
  }
}
