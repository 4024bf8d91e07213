/**
 * The default ensemble (adaptive daily/weekly seasonal + range breakout, see registry.ts) fused into one
 * class for speed.
 *
 * It computes exactly what `new CalibratedEnsemble([new AdaptiveSeasonalModel(o), new RangeBreakoutModel(o)])`
 * computes (a unit test holds the two to the same output), but in one monomorphic update per point:
 * the time-of-day bin is found once and shared by the seasonal model and the recurrence filter, the
 * direction option is decoded once, the models' arrays are read directly, and there are no calls
 * through the `SurpriseModel` interface. The generic `CalibratedEnsemble` stays the reference and
 * scores every single-model detector.
 */
import { ERROR_RATE, MARGIN, MIN_BOTH, WEEK_BINS, WEEK_MS } from './adaptive-seasonal.js';
import { TailCalibrator } from './calibrate.js';
import { RollingExtreme } from './rolling-extreme.js';
import { MAX_SURPRISE, type DetectorOptions, type StreamingDetector } from './types.js';

const DAY_MS = 86_400_000;
/** Time-of-day bins, shared by the seasonal model and the recurrence filter (15 minutes each). */
const BINS = 96;
// Seasonal model (seasonal.ts defaults).
const ALPHA_LEVEL = 0.02;
const GAMMA_SEASON = 0.1;
const MIN_SEEN = 3;
// Range breakout (range-breakout.ts defaults).
const RANGE_WINDOW = 2048;
const RANGE_MIN_POINTS = 16;
// Recurrence filter (recurrence.ts defaults).
const RECUR_FADE = 0.97;
const RECUR_FACTOR = 0.5;
// Suppressor (suppress.ts defaults as used by CalibratedEnsemble).
const SUPPRESS_HORIZON = 144;
const SUPPRESS_FACTOR = 0.5;
const MEMBERS = 2;

export class DefaultDetector implements StreamingDetector {
  // Seasonal state: daily and weekly Holt-Winters, and their running errors (adaptive-seasonal.ts).
  private readonly daily = new HoltWinters(BINS);
  private readonly weekly = new HoltWinters(WEEK_BINS);
  private errDaily = 0;
  private errWeekly = 0;
  private both = 0;
  // Range-breakout state.
  private readonly hi = new RollingExtreme(RANGE_WINDOW, 'max');
  private readonly lo = new RollingExtreme(RANGE_WINDOW, 'min');
  // Calibration, recurrence, suppression.
  private readonly calSeasonal = new TailCalibrator();
  private readonly calRange = new TailCalibrator();
  private readonly peak = new Float64Array(BINS);
  private readonly recent = new RollingExtreme(SUPPRESS_HORIZON, 'max');
  /** +1: only deviations above count; −1: only below; 0: both. */
  private readonly sign: number;
  private readonly minDev: number;
  /** Last valid time and its phase in the day (NaN before the first: the first phase is a remainder). */
  private lastTime = Number.NaN;
  private lastPhase = 0;
  private lastWeekPhase = 0;

  constructor(opts: DetectorOptions) {
    this.sign = opts.direction === 'up' ? 1 : opts.direction === 'down' ? -1 : 0;
    this.minDev = opts.minDev;
  }

  update(time: number, value: number): number {
    if (!(value - value === 0)) return 0; // NaN or ±Infinity: nothing learned, nothing reported
    const timed = time - time === 0;
    let b = 0;
    let wb = 0;
    if (timed) {
      // Time of day. Integer-millisecond steps of less than a day advance the previous phase (exact, no
      // floating-point remainder); anything else takes the remainder as seasonal.ts / recurrence.ts do.
      // Both give the same phase to the last bit.
      const step = time - this.lastTime;
      let phase: number;
      let weekPhase: number;
      if (step >= 0 && step < DAY_MS && Math.floor(time) === time) {
        phase = this.lastPhase + step;
        if (phase >= DAY_MS) phase -= DAY_MS;
        weekPhase = this.lastWeekPhase + step;
        if (weekPhase >= WEEK_MS) weekPhase -= WEEK_MS;
      } else {
        phase = ((time % DAY_MS) + DAY_MS) % DAY_MS;
        weekPhase = ((time % WEEK_MS) + WEEK_MS) % WEEK_MS;
      }
      this.lastTime = time;
      this.lastPhase = phase;
      this.lastWeekPhase = weekPhase;
      b = Math.floor((phase / DAY_MS) * BINS);
      if (b > BINS - 1) b = BINS - 1;
      wb = Math.floor((weekPhase / WEEK_MS) * WEEK_BINS);
      if (wb > WEEK_BINS - 1) wb = WEEK_BINS - 1;
    }

    // Daily and weekly Holt-Winters (seasonal.ts), the one predicting better reported (adaptive-seasonal.ts),
    // skipped without a valid time.
    let zSeasonal = 0;
    if (timed) {
      const daily = this.daily;
      const weekly = this.weekly;
      const zDaily = daily.step(b, value, this);
      const zWeekly = weekly.step(wb, value, this);
      zSeasonal = zDaily;
      if (daily.ready && weekly.ready) {
        if (this.both >= MIN_BOTH && this.errWeekly < MARGIN * this.errDaily) zSeasonal = zWeekly;
        const both = ++this.both;
        const a = both < 1 / ERROR_RATE ? 1 / both : ERROR_RATE;
        this.errDaily += a * (daily.lastAbs - this.errDaily);
        this.errWeekly += a * (weekly.lastAbs - this.errWeekly);
      }
    }

    // Range breakout over the last RANGE_WINDOW points (range-breakout.ts).
    let zRange = 0;
    if (this.hi.length >= RANGE_MIN_POINTS) {
      const hi = this.hi.value();
      const lo = this.lo.value();
      if (value > hi || value < lo) {
        let range = hi - lo;
        const r = 1e-6 * Math.abs(hi);
        if (r > range) range = r;
        if (range < 1e-9) range = 1e-9;
        zRange = this.directed(value > hi ? value - hi : value - lo, range);
      }
    }
    this.hi.push(value);
    this.lo.push(value);

    // Bonferroni min-p → surprise in decades (calibrate.ts surpriseOf).
    const pS = this.calSeasonal.update(zSeasonal);
    const pR = this.calRange.update(zRange);
    let p = (pS < pR ? pS : pR) * MEMBERS;
    let surprise = 0;
    if (p < 1) {
      if (p < 1e-300) p = 1e-300;
      surprise = -Math.log10(p);
    }

    // Daily recurrence discount (recurrence.ts), skipped without a valid time.
    if (timed) {
      const peak = this.peak;
      let routine = peak[b]!;
      const before = peak[b === 0 ? BINS - 1 : b - 1]!;
      const after = peak[b === BINS - 1 ? 0 : b + 1]!;
      if (before > routine) routine = before;
      if (after > routine) routine = after;
      const faded = peak[b]! * RECUR_FADE;
      peak[b] = surprise > faded ? surprise : faded;
      if (!(surprise > routine)) surprise *= RECUR_FACTOR;
    }

    // De-duplication (suppress.ts).
    const prev = this.recent.length > 0 ? this.recent.value() : 0;
    this.recent.push(surprise);
    if (!(surprise > prev)) surprise *= SUPPRESS_FACTOR;

    return surprise > 0 ? surprise / (surprise + 4) : 0;
  }

  stateBytes(): number {
    return (
      this.daily.stateBytes() +
      this.weekly.stateBytes() +
      BINS * 8 +
      64 +
      this.hi.stateBytes() +
      this.lo.stateBytes() +
      this.recent.stateBytes() +
      this.calSeasonal.stateBytes() +
      this.calRange.stateBytes()
    );
  }

  /** types.ts `directed`: direction, the absolute floor, then deviation / scale capped at MAX_SURPRISE. */
  directed(deviation: number, scale: number): number {
    if (this.sign * deviation < 0) return 0;
    const size = Math.abs(deviation);
    if (!(size > this.minDev)) return 0;
    const z = size / scale;
    return z < MAX_SURPRISE ? z : MAX_SURPRISE;
  }
}

/** seasonal.ts's Holt-Winters on a precomputed bin, same arithmetic in the same order. */
class HoltWinters {
  private readonly season: Float64Array;
  private readonly spread: Float64Array;
  private readonly seen: Uint16Array;
  private level = Number.NaN;
  private globalSpread = 0;
  /** |residual| of the last point and whether its bin had a baseline. */
  lastAbs = 0;
  ready = false;

  constructor(bins: number) {
    this.season = new Float64Array(bins);
    this.spread = new Float64Array(bins);
    this.seen = new Uint16Array(bins);
  }

  /** Surprise of `value` in bin `b` (0 without a baseline), then learns it. */
  step(b: number, value: number, d: DefaultDetector): number {
    if (this.level !== this.level) this.level = value;
    const level = this.level;
    const s = this.season[b]!;
    const seen = this.seen[b]!;
    const residual = value - level - s;
    const spread = this.spread[b]!;
    const a = Math.abs(residual);
    this.lastAbs = a;
    let z = 0;
    this.ready = seen >= MIN_SEEN;
    if (this.ready) {
      let scale = spread;
      const g = 0.25 * this.globalSpread;
      if (g > scale) scale = g;
      const l = 1e-6 * Math.abs(level);
      if (l > scale) scale = l;
      if (scale < 1e-9) scale = 1e-9;
      z = d.directed(residual, 1.2533 * scale);
    }
    let gamma = 1;
    if (seen !== 0) {
      gamma = GAMMA_SEASON;
      this.spread[b] = spread + gamma * (a - spread);
      this.globalSpread += 0.01 * (a - this.globalSpread);
    }
    const newLevel = level + ALPHA_LEVEL * (value - s - level);
    this.level = newLevel;
    this.season[b] = s + gamma * (value - newLevel - s);
    if (seen < 65535) this.seen[b] = seen + 1;
    return z;
  }

  stateBytes(): number {
    return this.season.length * 18 + 32;
  }
}
