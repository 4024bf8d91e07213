/**
 * Daily or weekly seasonality, chosen from the data as it streams. A time-of-day baseline (96 bins of
 * 15 minutes) and a day-of-week × hour baseline (168 bins of one hour) run side by side; each keeps an
 * exponentially weighted mean absolute error over the points where both have a baseline (memory ~1000
 * points). The weekly model's surprise is reported only after both have predicted `MIN_BOTH` points and
 * while its error stays below `MARGIN` × the daily one; otherwise the daily model's. Series without a
 * weekly pattern (or shorter than ~3 weeks + MIN_BOTH points) therefore behave exactly as with the
 * daily model alone, and a weekly one (human activity: taxis, tweets, business traffic) stops calling
 * every weekend an anomaly. O(1) per point, 264 bins of state.
 */
import { SeasonalModel } from './seasonal.js';
import type { DetectorOptions, SurpriseModel } from './types.js';

export const WEEK_MS = 7 * 86_400_000;
export const WEEK_BINS = 168;
/** Points with both baselines ready before the weekly one may be chosen. */
export const MIN_BOTH = 2000;
/** The weekly model must have at most this fraction of the daily model's error. */
export const MARGIN = 0.9;
/** Weight of the newest error in the running mean errors (after the first 1/ERROR_RATE points). */
export const ERROR_RATE = 0.001;

export class AdaptiveSeasonalModel implements SurpriseModel {
  private readonly daily: SeasonalModel;
  private readonly weekly: SeasonalModel;
  private errDaily = 0;
  private errWeekly = 0;
  private both = 0;

  constructor(opts: DetectorOptions) {
    this.daily = new SeasonalModel(opts);
    this.weekly = new SeasonalModel(opts, WEEK_BINS, WEEK_MS);
  }

  surprise(time: number, value: number): number {
    if (!Number.isFinite(value) || !Number.isFinite(time)) return 0;
    const zDaily = this.daily.surprise(time, value);
    const zWeekly = this.weekly.surprise(time, value);
    if (!(this.daily.lastReady && this.weekly.lastReady)) return zDaily;
    // Choose on past errors only, then learn this point's errors.
    const z = this.both >= MIN_BOTH && this.errWeekly < MARGIN * this.errDaily ? zWeekly : zDaily;
    this.both++;
    const a = this.both < 1 / ERROR_RATE ? 1 / this.both : ERROR_RATE;
    this.errDaily += a * (this.daily.lastAbs - this.errDaily);
    this.errWeekly += a * (this.weekly.lastAbs - this.errWeekly);
    return z;
  }

  stateBytes(): number {
    return this.daily.stateBytes() + this.weekly.stateBytes() + 24;
  }
}
