/**
 * Distribution shift in spread: the log ratio of a short-memory to a long-memory mean absolute step.
 * Flags a series that suddenly turns noisy or suddenly goes flat (a stuck sensor, a dead exporter)
 * while its level stays normal, which level models cannot see. Steps rather than values remove the
 * level and most of the seasonality, so no baseline is needed.
 */
import type { DetectorOptions, SurpriseModel } from './types.js';

export class VolatilityShiftModel implements SurpriseModel {
  private prev = Number.NaN;
  private short = Number.NaN;
  private long = Number.NaN;
  private n = 0;

  constructor(
    private readonly opts: DetectorOptions,
    private readonly alphaShort = 0.1,
    private readonly alphaLong = 0.005,
  ) {}

  surprise(_time: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const step = Math.abs(value - this.prev);
    this.prev = value;
    if (!Number.isFinite(step)) return 0;
    if (Number.isNaN(this.short)) {
      this.short = step;
      this.long = step;
    }
    this.short += this.alphaShort * (step - this.short);
    this.long += this.alphaLong * (step - this.long);
    this.n++;
    if (this.n < 32) return 0;
    const floor = 1e-9 + 1e-12 * Math.abs(value);
    const ratio = Math.log((this.short + floor) / (this.long + floor));
    // "up" means more volatile than usual, "down" means calmer (flat-lining).
    if (this.opts.direction === 'up' && ratio < 0) return 0;
    if (this.opts.direction === 'down' && ratio > 0) return 0;
    if (!(Math.abs(this.short - this.long) > this.opts.minDev)) return 0;
    return Math.abs(ratio);
  }

  stateBytes(): number {
    return 4 * 8;
  }
}
