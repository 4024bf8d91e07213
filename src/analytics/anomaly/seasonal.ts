/**
 * Seasonal baseline: additive Holt-Winters whose seasonal index is the time of day (fixed-width bins of
 * wall-clock time) rather than a position in a period counted in points. Binning by time keeps the
 * model right under gaps, irregular sampling and unknown sampling rates, at O(1) work per point.
 *
 * expected = level + season[bin]; the residual is scored against that bin's own exponentially weighted
 * mean absolute residual (nights are often quieter than days). A bin seen fewer than `minSeen` times
 * has no baseline yet and scores 0. Catches a missing daily peak or a flat day that level models miss.
 */
import { directed, type DetectorOptions, type SurpriseModel } from './types.js';

const DAY_MS = 86_400_000;

export class SeasonalModel implements SurpriseModel {
  private readonly season: Float64Array;
  private readonly spread: Float64Array;
  private readonly seen: Uint16Array;
  private level = Number.NaN;
  private globalSpread = 0;
  /** |residual| of the last timed point and whether its bin had a baseline (read by adaptive-seasonal.ts). */
  lastAbs = 0;
  lastReady = false;

  constructor(
    private readonly opts: DetectorOptions,
    private readonly bins = 96,
    private readonly periodMs = DAY_MS,
    private readonly alphaLevel = 0.02,
    private readonly gammaSeason = 0.1,
    private readonly minSeen = 3,
  ) {
    this.season = new Float64Array(bins);
    this.spread = new Float64Array(bins);
    this.seen = new Uint16Array(bins);
  }

  surprise(time: number, value: number): number {
    if (!Number.isFinite(value) || !Number.isFinite(time)) return 0;
    const phase = ((time % this.periodMs) + this.periodMs) % this.periodMs;
    const b = Math.min(Math.floor((phase / this.periodMs) * this.bins), this.bins - 1);
    if (Number.isNaN(this.level)) this.level = value;
    const residual = value - this.level - this.season[b]!;
    let z = 0;
    this.lastAbs = Math.abs(residual);
    this.lastReady = this.seen[b]! >= this.minSeen;
    if (this.lastReady) {
      // 1.2533 · mean |residual| estimates σ for Gaussian noise.
      const scale = 1.2533 * Math.max(this.spread[b]!, 0.25 * this.globalSpread, 1e-12 * Math.abs(this.level), 1e-9);
      z = directed(residual, scale, this.opts);
    }
    this.learn(b, value, residual);
    return z;
  }

  stateBytes(): number {
    return this.bins * 18 + 24;
  }

  private learn(b: number, value: number, residual: number): void {
    const first = this.seen[b] === 0;
    const g = first ? 1 : this.gammaSeason;
    if (!first) {
      // A bin's first residual only measures the missing seasonal term, not noise.
      const a = Math.abs(residual);
      this.spread[b] = this.spread[b]! + g * (a - this.spread[b]!);
      this.globalSpread += 0.01 * (a - this.globalSpread);
    }
    this.level += this.alphaLevel * (value - this.season[b]! - this.level);
    this.season[b] = this.season[b]! + g * (value - this.level - this.season[b]!);
    if (this.seen[b]! < 65535) this.seen[b] = this.seen[b]! + 1;
  }
}
