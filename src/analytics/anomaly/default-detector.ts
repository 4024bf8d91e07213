/**
 * The default ensemble (adaptive daily/weekly seasonal + range breakout, see registry.ts) fused into one
 * class for speed.
 *
 * It computes exactly what `new CalibratedEnsemble([new AdaptiveSeasonalModel(o), new RangeBreakoutModel(o)])`
 * computes (unit tests hold the two to the same output, bit for bit), in one monomorphic update per point
 * that calls nothing but Math.log10 (only for points with a surprise) and Math.pow / Math.exp (rare
 * calibrated tails):
 * - the daily and weekly Holt-Winters (seasonal.ts), the two tail calibrators (calibrate.ts), the rolling
 *   extremes (range high and low, recent surprises for suppress.ts) and the recurrence filter
 *   (recurrence.ts) are written out inline, same arithmetic in the same order;
 * - every constant is a const-enum member (inlined as a literal, see `K`), and every floating-point
 *   scalar of state and every fixed-size table (Holt-Winters, recurrence peaks, recent surprises) lives in
 *   one array of unboxed doubles (`f`, offsets in `S`), the seen counts in one Uint16Array: no module-context loads, no
 *   boxed doubles, no allocation but the returned score, a class shape that never changes, and few
 *   objects to load on entry (what `update` pays per point);
 * - the rolling extremes are exact sliding extremes in blocks (van Herk / Gil-Werman) instead of
 *   monotonic deques: no data-dependent loop per point; a closed block's suffix extremes overwrite its
 *   dead values in place (see `rangeVals`);
 * - time-of-day and week bins are cached with the phase interval that maps to them, so the division is
 *   skipped while the phase stays in the bin or moves to the next one (`binStarts`);
 * - only the reported seasonal model (daily or weekly) computes a surprise;
 * - a point without evidence (p·members ≥ NEWS_P, calibrate.ts: most points) takes a short exit: the recurrence
 *   peak fades, the suppressor learns a 0, the score is 0.
 * - the per-point logic is written once, as the body of the loop in `run`: `scoreInto` (batch) runs it over a
 *   range with no call and no boxed double per point; `update` runs it on one point through one-element
 *   buffers, so both give the same scores and state and can be mixed.
 * The generic `CalibratedEnsemble` stays the reference and scores every single-model detector.
 */
import { NEWS_P } from './calibrate.js';
import { checkRange, type DetectorOptions, type StreamingDetector } from './types.js';

/**
 * Every constant of the hot path is a member of this const enum (or of `S`), which TypeScript (tsc,
 * esbuild/tsx, vitest) inlines as a number literal: module-level `const`s and imports would be loaded from
 * the module context and type-checked on every use in V8's optimised code. The values are those of the modules this
 * class fuses (named in each group); exact decimal forms of derived values are given where a derivation
 * is not a constant expression, and the unit test holding this class equal to the generic ensemble
 * covers all of them. One exception: `NEWS_P`, shared with calibrate.ts so that the two cannot drift apart, is
 * imported (its value 0.1 would duplicate an enum member's, which lint forbids; `npm run bench` shows no cost).
 */
const enum K {
  DAY_MS = 86_400_000,
  /** Time-of-day bins, shared by the seasonal model and the recurrence filter (15 minutes each). */
  BINS = 96,
  // adaptive-seasonal.ts: WEEK_MS, WEEK_BINS, MIN_BOTH, MARGIN, ERROR_RATE (1 / ERROR_RATE = 1000).
  WEEK_MS = 604_800_000,
  WEEK_BINS = 168,
  MIN_BOTH = 2000,
  MARGIN = 0.9,
  ERROR_RATE = 0.001,
  INV_ERROR_RATE = 1000,
  // seasonal.ts defaults.
  ALPHA_LEVEL = 0.02,
  GAMMA_SEASON = 0.1,
  MIN_SEEN = 3,
  // types.ts.
  MAX_SURPRISE = 1e6,
  // range-breakout.ts defaults.
  RANGE_WINDOW = 2048,
  RANGE_MIN_POINTS = 16,
  /** First capacity of the range window's values; doubled as points arrive, up to RANGE_WINDOW. */
  RANGE_FIRST_CAPACITY = 64,
  // recurrence.ts defaults.
  RECUR_FADE = 0.97,
  RECUR_FACTOR = 0.5,
  // suppress.ts defaults as used by CalibratedEnsemble: SUPPRESS_HORIZON = 144; its factor 0.5 is RECUR_FACTOR's.
  SUPPRESS_HORIZON = 144,
  MEMBERS = 2,
  // calibrate.ts: Q = 0.95 (1 - Q is 0.050000000000000044 in doubles), STEP = 0.05 and
  // UP = exp(STEP·Q), DOWN = exp(−STEP·(1 − Q)), UP_FAST = exp(10·STEP·Q), DOWN_FAST = exp(−10·STEP·(1 − Q)).
  ONE_MINUS_Q = 0.050000000000000044,
  EXCESS_MEMORY = 100,
  WARMUP = 200,
  EXCESS_CAP = 20,
  RATE_MEMORY = 8000,
  INV_RATE_MEMORY = 0.000125,
  XI_MAX = 0.8,
  UP = 1.0486462011212851,
  DOWN = 0.9975031223974601,
  UP_FAST = 1.6080141974857827,
  DOWN_FAST = 0.9753099120283326,
}

/** Slots of the scalar state array `f` (a separate const enum: lint wants distinct values per enum). */
const enum S {
  D_LEVEL = 0, // daily Holt-Winters level (NaN before the first point)
  D_SPREAD = 1, // daily global spread
  W_LEVEL = 2,
  W_SPREAD = 3,
  ERR_DAILY = 4,
  ERR_WEEKLY = 5,
  BOTH = 6,
  LAST_TIME = 7, // last valid time (NaN before the first: the first phase is a remainder)
  LAST_PHASE = 8, // its phase in the day
  LAST_WEEK_PHASE = 9, // and in the week
  // Finite values seen: the range, the suppressor and both calibrators (calibrate.ts field n) see every one.
  COUNT = 10,
  // Calibrators (calibrate.ts fields u, nExc, m1, m2, rate; n is COUNT): seasonal at S_*, range at R_*.
  S_U = 11,
  S_N_EXC = 12,
  S_M1 = 13,
  S_M2 = 14,
  S_RATE = 15,
  R_U = 16,
  R_N_EXC = 17,
  R_M1 = 18,
  R_M2 = 19,
  R_RATE = 20,
  PRE_HI = 21, // prefix extremes of the current range block
  PRE_LO = 22,
  PRE_RECENT = 23, // prefix max of the current block of recent surprises
  // The phase interval of the cached day and week bins (empty at first), see `binStarts`.
  DAY_LO = 24,
  DAY_HI = 25,
  WEEK_LO = 26,
  WEEK_HI = 27,
  SIGN = 28, // +1: only deviations above count; −1: only below; 0: both
  MIN_DEV = 29,
  // The fixed-size tables follow the scalars in `f`, each at the end of the one before (sizes in `K`), so `run`
  // loads one array, not seven.
  D_SEASONS = MIN_DEV + 1, // daily Holt-Winters seasonal offsets per time-of-day bin (K.BINS)
  D_SPREADS = D_SEASONS + K.BINS, // and spreads (K.BINS)
  W_SEASONS = D_SPREADS + K.BINS, // weekly: per week bin (K.WEEK_BINS)
  W_SPREADS = W_SEASONS + K.WEEK_BINS,
  PEAK = W_SPREADS + K.WEEK_BINS, // recurrence peaks per time-of-day bin (K.BINS)
  RECENT = PEAK + K.BINS, // the suppressor's window of recent surprises (K.SUPPRESS_HORIZON), see `recentPos`
  LENGTH = RECENT + K.SUPPRESS_HORIZON,
}

/** Offsets in the `seen` counts (Uint16Array): daily bins, then weekly bins. */
const enum N {
  W_SEEN = K.BINS,
  LENGTH = K.BINS + K.WEEK_BINS,
}

/**
 * starts[b] is the least integer phase that seasonal.ts puts in bin ≥ b, i.e. floor((x / period) · bins) ≥ b
 * (for b = bins: the least one past the last bin, at most `period`). That map is monotone in x (division
 * and multiplication by positive constants round monotonically), so every phase, integer or not, in
 * [starts[b], starts[b + 1] − 1] lies in bin b: the detector caches that interval and skips the division
 * while the phase stays inside. Found by search, not assumed: rounding moves some weekly boundaries by a
 * millisecond off the exact multiples of the bin width.
 */
function binStarts(bins: number, period: number): Int32Array {
  const starts = new Int32Array(bins + 1);
  const width = period / bins;
  for (let b = 0; b <= bins; b++) {
    let x = b * width;
    while (x > 0 && Math.floor(((x - 1) / period) * bins) >= b) x--;
    while (x < period && Math.floor((x / period) * bins) < b) x++;
    starts[b] = x;
  }
  return starts;
}
const DAY_STARTS = binStarts(K.BINS, K.DAY_MS);
/** The suffix extremes before the first range block closes: never read (see `closeRangeBlock`). */
const NO_SUFFIX = new Float64Array(0);
const WEEK_STARTS = binStarts(K.WEEK_BINS, K.WEEK_MS);
/**
 * n zeros in a plain array of unboxed doubles (V8's PACKED_DOUBLE_ELEMENTS: pushing a non-integer makes it a
 * double array, `fill` keeps that kind, `slice` drops the slack that growth left). Its reads and writes are
 * those of a Float64Array without the typed array's base-plus-offset address to rebuild on each entry to
 * `run`: paired A/B, the per-point `update` path 3–4 % faster, batch unchanged. Every number is
 * stored and read back exactly (NaN payloads aside, which nothing reads).
 */
function doubles(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0.5);
  a.fill(0);
  return a.slice();
}

export class DefaultDetector implements StreamingDetector {
  /** Every floating-point scalar and every fixed-size table, at the offsets of `S` (see `doubles`). */
  private readonly f: number[] = doubles(S.LENGTH);
  /** Points seen per daily bin, then per weekly bin (seasonal.ts `seen`, capped at 65535). */
  private readonly seen = new Uint16Array(N.LENGTH);
  /** Cached bins (their phase intervals are in `f`), see `binStarts`. */
  private dayBin = 0;
  private weekBin = 0;
  /**
   * Sliding extremes in blocks (van Herk / Gil-Werman): the stream is cut into blocks of the window
   * size; f[PRE_HI] / f[PRE_LO] hold the current block's prefix extremes, and the previous block's
   * suffix extremes are computed when it closes (one pass per block, O(1) amortised per point like the
   * monotonic deque of rolling-extreme.ts, but with no data-dependent loop per point). The extremes are
   * exact, so every result is unchanged. Once a block's suffix extremes are known its values are dead,
   * so one array serves both: `rangeVals[j]` holds the current block's value for j < rangePos and the
   * previous block's suffix high for j ≥ rangePos (the slot is read at offset j, then overwritten by
   * the new value), and `sufLo` the previous block's suffix lows: two arrays of the window, not three.
   * Sized by what the series has shown, not by the window: `rangeVals` grows by doubling until the
   * first block is full, and `sufLo` exists once it closes (it is read only after that), so a series of a
   * few hundred points (an analysis window) holds a few KiB, not 32.
   */
  private rangeVals: Float64Array = new Float64Array(K.RANGE_FIRST_CAPACITY);
  private sufLo: Float64Array = NO_SUFFIX;
  /** Offset in the current range block of the next value. */
  private rangePos = 0;
  /**
   * Offset in the current block of recent surprises (f[RECENT + j]: current values below it, the
   * previous block's suffix maxima from it on, as in `rangeVals`; prefix max in f[PRE_RECENT]).
   */
  private recentPos = 0;
  /** One-point buffers through which `update` runs `scoreInto`. */
  private readonly oneTime = new Float64Array(1);
  private readonly oneValue = new Float64Array(1);
  private readonly oneScore = new Float64Array(1);

  constructor(opts: DetectorOptions) {
    const f = this.f;
    f[S.SIGN] = opts.direction === 'up' ? 1 : opts.direction === 'down' ? -1 : 0;
    f[S.MIN_DEV] = opts.minDev;
    f[S.DAY_LO] = 1;
    f[S.WEEK_LO] = 1;
    f[S.D_LEVEL] = Number.NaN;
    f[S.W_LEVEL] = Number.NaN;
    f[S.LAST_TIME] = Number.NaN;
    f[S.S_U] = 2;
    f[S.S_RATE] = K.ONE_MINUS_Q;
    f[S.R_U] = 2;
    f[S.R_RATE] = K.ONE_MINUS_Q;
  }

  /**
   * Consumes points from..to−1 of (times, values) in order and writes their scores to out[from..to−1]:
   * exactly `out[i] = update(times[i], values[i])` for each i (same scores to the bit, same state after), in
   * one loop with no call or boxed double per point. This loop is the only implementation of the
   * per-point logic; `update` runs it on one point.
   */
  scoreInto(times: Float64Array, values: Float64Array, out: Float64Array, from = 0, to: number = times.length): void {
    checkRange(times, values, out, from, to);
    this.run(times, values, out, from, to);
  }

  /** Consumes one point and returns its score: the loop of `scoreInto` on that point (one implementation). */
  update(time: number, value: number): number {
    const t = this.oneTime;
    const v = this.oneValue;
    const o = this.oneScore;
    t[0] = time;
    v[0] = value;
    this.run(t, v, o, 0, 1);
    return o[0]!;
  }

  /** The per-point logic in its loop, for a range already checked (see `scoreInto`). */
  private run(times: Float64Array, values: Float64Array, out: Float64Array, from: number, to: number): void {
    const f = this.f;
    const sign = f[S.SIGN]!;
    const minDev = f[S.MIN_DEV]!;
    const seen = this.seen;
    let rangeVals = this.rangeVals;
    let sufLo = this.sufLo;
    for (let i = from; i < to; i++) {
      const time = times[i]!;
      const value = values[i]!;
      if (!(value - value === 0)) {
        // NaN or ±Infinity: nothing learned, nothing reported
        out[i] = 0;
        continue;
      }
      const timed = time - time === 0;
      let b = 0;
      let zSeasonal = 0;
      if (timed) {
        // Time of day. Integer-millisecond steps of less than a day advance the previous phase (exact, no
        // floating-point remainder); anything else takes the remainder as seasonal.ts / recurrence.ts do.
        // Both give the same phase to the last bit.
        const step = time - f[S.LAST_TIME]!;
        let phase: number;
        let weekPhase: number;
        if (step >= 0 && step < K.DAY_MS && Math.floor(time) === time) {
          phase = f[S.LAST_PHASE]! + step;
          if (phase >= K.DAY_MS) phase -= K.DAY_MS;
          weekPhase = f[S.LAST_WEEK_PHASE]! + step;
          if (weekPhase >= K.WEEK_MS) weekPhase -= K.WEEK_MS;
        } else {
          phase = ((time % K.DAY_MS) + K.DAY_MS) % K.DAY_MS;
          weekPhase = ((time % K.WEEK_MS) + K.WEEK_MS) % K.WEEK_MS;
        }
        f[S.LAST_TIME] = time;
        f[S.LAST_PHASE] = phase;
        f[S.LAST_WEEK_PHASE] = weekPhase;
        // Bins as seasonal.ts computes them, floor((phase / period) · bins) capped at bins − 1, recomputed only
        // when the phase leaves the last bin's cached interval (see `binStarts`).
        // Regular sampling mostly stays in the bin or moves to the next one, whose interval starts right after.
        if (phase >= f[S.DAY_LO]! && phase <= f[S.DAY_HI]!) {
          b = this.dayBin;
        } else {
          b = this.dayBin + 1;
          if (!(b < K.BINS && phase >= DAY_STARTS[b]! && phase <= DAY_STARTS[b + 1]! - 1)) {
            b = Math.floor((phase / K.DAY_MS) * K.BINS) | 0;
            if (b > K.BINS - 1) b = K.BINS - 1;
          }
          this.dayBin = b;
          f[S.DAY_LO] = DAY_STARTS[b]!;
          f[S.DAY_HI] = DAY_STARTS[b + 1]! - 1;
        }
        let wb: number;
        if (weekPhase >= f[S.WEEK_LO]! && weekPhase <= f[S.WEEK_HI]!) {
          wb = this.weekBin;
        } else {
          wb = this.weekBin + 1;
          if (!(wb < K.WEEK_BINS && weekPhase >= WEEK_STARTS[wb]! && weekPhase <= WEEK_STARTS[wb + 1]! - 1)) {
            wb = Math.floor((weekPhase / K.WEEK_MS) * K.WEEK_BINS) | 0;
            if (wb > K.WEEK_BINS - 1) wb = K.WEEK_BINS - 1;
          }
          this.weekBin = wb;
          f[S.WEEK_LO] = WEEK_STARTS[wb]!;
          f[S.WEEK_HI] = WEEK_STARTS[wb + 1]! - 1;
        }

        // Which model is reported (adaptive-seasonal.ts: once both have a baseline, the weekly one after MIN_BOTH
        // such points while its past error is below MARGIN × the daily one's): only that model's surprise is
        // computed, both models learn.
        const readyDaily = seen[b]! >= K.MIN_SEEN;
        const readyWeekly = seen[N.W_SEEN + wb]! >= K.MIN_SEEN;
        const weeklyChosen = readyDaily && readyWeekly && f[S.BOTH]! >= K.MIN_BOTH && f[S.ERR_WEEKLY]! < K.MARGIN * f[S.ERR_DAILY]!;

        // Daily Holt-Winters on bin b (seasonal.ts, same arithmetic in the same order).
        let zDaily = 0;
        let absDaily: number;
        {
          let level = f[S.D_LEVEL]!;
          if (level !== level) level = value;
          const s = f[S.D_SEASONS + b]!;
          const seenHere = seen[b]!;
          const residual = value - level - s;
          const spread = f[S.D_SPREADS + b]!;
          const a = Math.abs(residual);
          absDaily = a;
          if (readyDaily && !weeklyChosen) {
            let scale = spread;
            const g = 0.25 * f[S.D_SPREAD]!;
            if (g > scale) scale = g;
            const l = 1e-12 * Math.abs(level);
            if (l > scale) scale = l;
            if (scale < 1e-9) scale = 1e-9;
            // types.ts `directed`: direction, the absolute floor, then deviation / scale capped at MAX_SURPRISE.
            if (!(sign * residual < 0) && a > minDev) {
              const z = a / (1.2533 * scale);
              zDaily = z < K.MAX_SURPRISE ? z : K.MAX_SURPRISE;
            }
          }
          let gamma = 1;
          if (seenHere !== 0) {
            gamma = K.GAMMA_SEASON;
            f[S.D_SPREADS + b] = spread + gamma * (a - spread);
            const gs = f[S.D_SPREAD]!;
            f[S.D_SPREAD] = gs + 0.01 * (a - gs);
          }
          const newLevel = level + K.ALPHA_LEVEL * (value - s - level);
          f[S.D_LEVEL] = newLevel;
          f[S.D_SEASONS + b] = s + gamma * (value - newLevel - s);
          if (seenHere < 65535) seen[b] = seenHere + 1;
        }

        // Weekly Holt-Winters on bin wb.
        let zWeekly = 0;
        let absWeekly: number;
        {
          let level = f[S.W_LEVEL]!;
          if (level !== level) level = value;
          const s = f[S.W_SEASONS + wb]!;
          const seenHere = seen[N.W_SEEN + wb]!;
          const residual = value - level - s;
          const spread = f[S.W_SPREADS + wb]!;
          const a = Math.abs(residual);
          absWeekly = a;
          if (weeklyChosen) {
            let scale = spread;
            const g = 0.25 * f[S.W_SPREAD]!;
            if (g > scale) scale = g;
            const l = 1e-12 * Math.abs(level);
            if (l > scale) scale = l;
            if (scale < 1e-9) scale = 1e-9;
            if (!(sign * residual < 0) && a > minDev) {
              const z = a / (1.2533 * scale);
              zWeekly = z < K.MAX_SURPRISE ? z : K.MAX_SURPRISE;
            }
          }
          let gamma = 1;
          if (seenHere !== 0) {
            gamma = K.GAMMA_SEASON;
            f[S.W_SPREADS + wb] = spread + gamma * (a - spread);
            const gs = f[S.W_SPREAD]!;
            f[S.W_SPREAD] = gs + 0.01 * (a - gs);
          }
          const newLevel = level + K.ALPHA_LEVEL * (value - s - level);
          f[S.W_LEVEL] = newLevel;
          f[S.W_SEASONS + wb] = s + gamma * (value - newLevel - s);
          if (seenHere < 65535) seen[N.W_SEEN + wb] = seenHere + 1;
        }

        // Then both running errors learn this point (adaptive-seasonal.ts).
        zSeasonal = weeklyChosen ? zWeekly : zDaily;
        if (readyDaily && readyWeekly) {
          const errDaily = f[S.ERR_DAILY]!;
          const errWeekly = f[S.ERR_WEEKLY]!;
          const both = f[S.BOTH]! + 1;
          f[S.BOTH] = both;
          const a = both < K.INV_ERROR_RATE ? 1 / both : K.ERROR_RATE;
          f[S.ERR_DAILY] = errDaily + a * (absDaily - errDaily);
          f[S.ERR_WEEKLY] = errWeekly + a * (absWeekly - errWeekly);
        }
      }

      // Range breakout over the last RANGE_WINDOW points (range-breakout.ts), then the window learns the value.
      // The window's high and low are exact sliding extremes in blocks (see `rangeVals`): the
      // last t points are the previous block from offset j on (its suffix extremes: rangeVals[j], which the
      // value overwrites only below, and sufLo[j]) and the current block's first j points (its prefix extremes).
      const t = f[S.COUNT]!;
      f[S.COUNT] = t + 1;
      let zRange = 0;
      {
        const j = this.rangePos;
        if (t >= K.RANGE_MIN_POINTS) {
          let hi: number;
          let lo: number;
          if (j === 0) {
            // t ≥ RANGE_MIN_POINTS and a multiple of the block: the window is exactly the previous block.
            hi = rangeVals[0]!;
            lo = sufLo[0]!;
          } else {
            hi = f[S.PRE_HI]!;
            lo = f[S.PRE_LO]!;
            if (t > j) {
              const h = rangeVals[j]!;
              if (h > hi) hi = h;
              const l = sufLo[j]!;
              if (l < lo) lo = l;
            }
          }
          if (value > hi || value < lo) {
            let range = hi - lo;
            const r = 1e-12 * Math.abs(hi);
            if (r > range) range = r;
            if (range < 1e-9) range = 1e-9;
            const deviation = value > hi ? value - hi : value - lo;
            if (!(sign * deviation < 0)) {
              const size = Math.abs(deviation);
              if (size > minDev) {
                const z = size / range;
                zRange = z < K.MAX_SURPRISE ? z : K.MAX_SURPRISE;
              }
            }
          }
        }
        if (j === rangeVals.length) rangeVals = this.growRange();
        rangeVals[j] = value;
        if (j === 0) {
          f[S.PRE_HI] = value;
          f[S.PRE_LO] = value;
        } else {
          if (value > f[S.PRE_HI]!) f[S.PRE_HI] = value;
          if (value < f[S.PRE_LO]!) f[S.PRE_LO] = value;
        }
        if (j === K.RANGE_WINDOW - 1) {
          this.closeRangeBlock();
          sufLo = this.sufLo;
          this.rangePos = 0;
        } else {
          this.rangePos = j + 1;
        }
      }

      // Tail probabilities (calibrate.ts TailCalibrator.update: tail of z before learning z), seasonal first.
      // Both z are numbers ≥ 0 (never NaN, see `directed` above), so update's NaN guard has nothing to do.
      let pS = 1;
      {
        const z = zSeasonal;
        const n = t;
        const u = f[S.S_U]!;
        let rate = f[S.S_RATE]!;
        if (n >= K.WARMUP && z > 0) {
          const n1 = n + 1;
          const floor = n1 < K.RATE_MEMORY ? 1 / n1 : K.INV_RATE_MEMORY;
          const r = rate > floor ? rate : floor; // Math.max: both are positive numbers
          if (z <= u) pS = 1 - ((1 - r) * z) / u;
          else if (f[S.S_N_EXC]! < 2) pS = r;
          else {
            const mean = f[S.S_M1]!;
            const variance = Math.max(f[S.S_M2]! - mean * mean, 1e-300);
            const ratio = (mean * mean) / variance;
            const xi = Math.min(Math.max(0.5 * (1 - ratio), 0), K.XI_MAX);
            const sigma = Math.max(0.5 * mean * (1 + ratio), 1e-12);
            const e = (z - u) / sigma;
            const survival = xi < 1e-6 ? Math.exp(-e) : Math.pow(1 + xi * e, -1 / xi);
            pS = r * survival;
          }
        }
        // learn(z)
        const n2 = n + 1;
        const exceeds = z > u;
        const d = (exceeds ? 1 : 0) - rate;
        rate += n2 < K.RATE_MEMORY ? d / n2 : d * K.INV_RATE_MEMORY;
        f[S.S_RATE] = rate;
        let nu: number;
        if (exceeds) {
          const m1 = f[S.S_M1]!;
          const nExc = f[S.S_N_EXC]!;
          const cap = K.EXCESS_CAP * Math.max(m1, 1e-9 * u);
          const e = nExc < 10 ? z - u : Math.min(z - u, cap);
          const nExc1 = nExc + 1;
          f[S.S_N_EXC] = nExc1;
          const a = 1 / Math.min(nExc1, K.EXCESS_MEMORY);
          f[S.S_M1] = m1 + a * (e - m1);
          const m2 = f[S.S_M2]!;
          f[S.S_M2] = m2 + a * (e * e - m2);
          nu = u * (n2 < K.WARMUP ? K.UP_FAST : K.UP);
        } else {
          nu = u * (n2 < K.WARMUP ? K.DOWN_FAST : K.DOWN);
        }
        if (nu < 1e-12) nu = 1e-12;
        else if (nu > 1e12) nu = 1e12;
        f[S.S_U] = nu;
      }
      let pR = 1;
      {
        const z = zRange;
        const n = t;
        const u = f[S.R_U]!;
        let rate = f[S.R_RATE]!;
        if (n >= K.WARMUP && z > 0) {
          const n1 = n + 1;
          const floor = n1 < K.RATE_MEMORY ? 1 / n1 : K.INV_RATE_MEMORY;
          const r = rate > floor ? rate : floor; // Math.max: both are positive numbers
          if (z <= u) pR = 1 - ((1 - r) * z) / u;
          else if (f[S.R_N_EXC]! < 2) pR = r;
          else {
            const mean = f[S.R_M1]!;
            const variance = Math.max(f[S.R_M2]! - mean * mean, 1e-300);
            const ratio = (mean * mean) / variance;
            const xi = Math.min(Math.max(0.5 * (1 - ratio), 0), K.XI_MAX);
            const sigma = Math.max(0.5 * mean * (1 + ratio), 1e-12);
            const e = (z - u) / sigma;
            const survival = xi < 1e-6 ? Math.exp(-e) : Math.pow(1 + xi * e, -1 / xi);
            pR = r * survival;
          }
        }
        const n2 = n + 1;
        const exceeds = z > u;
        const d = (exceeds ? 1 : 0) - rate;
        rate += n2 < K.RATE_MEMORY ? d / n2 : d * K.INV_RATE_MEMORY;
        f[S.R_RATE] = rate;
        let nu: number;
        if (exceeds) {
          const m1 = f[S.R_M1]!;
          const nExc = f[S.R_N_EXC]!;
          const cap = K.EXCESS_CAP * Math.max(m1, 1e-9 * u);
          const e = nExc < 10 ? z - u : Math.min(z - u, cap);
          const nExc1 = nExc + 1;
          f[S.R_N_EXC] = nExc1;
          const a = 1 / Math.min(nExc1, K.EXCESS_MEMORY);
          f[S.R_M1] = m1 + a * (e - m1);
          const m2 = f[S.R_M2]!;
          f[S.R_M2] = m2 + a * (e * e - m2);
          nu = u * (n2 < K.WARMUP ? K.UP_FAST : K.UP);
        } else {
          nu = u * (n2 < K.WARMUP ? K.DOWN_FAST : K.DOWN);
        }
        if (nu < 1e-12) nu = 1e-12;
        else if (nu > 1e12) nu = 1e12;
        f[S.R_U] = nu;
      }

      // Bonferroni min-p → surprise in decades (calibrate.ts surpriseOf).
      let p = (pS < pR ? pS : pR) * K.MEMBERS;
      if (!(p < NEWS_P)) {
        // No surprise (no evidence, see calibrate.ts NEWS_P), the common case, in short: the recurrence peak of this bin only fades (0 never beats it),
        // the suppressor's window learns a 0 (which no comparison can change), and the score is 0.
        if (timed) {
          f[S.PEAK + b] = f[S.PEAK + b]! * K.RECUR_FADE;
        }
        const j = this.recentPos;
        f[S.RECENT + j] = 0;
        if (j === 0) f[S.PRE_RECENT] = 0; // a block's prefix max is ≥ 0 otherwise
        if (j === K.SUPPRESS_HORIZON - 1) {
          this.closeRecentBlock();
          this.recentPos = 0;
        } else {
          this.recentPos = j + 1;
        }
        out[i] = 0;
        continue;
      }
      if (p < 1e-300) p = 1e-300;
      let surprise = -Math.log10(p);

      // Daily recurrence discount (recurrence.ts), skipped without a valid time.
      if (timed) {
        const here = f[S.PEAK + b]!;
        let routine = here;
        const before = f[S.PEAK + (b === 0 ? K.BINS - 1 : b - 1)]!;
        const after = f[S.PEAK + (b === K.BINS - 1 ? 0 : b + 1)]!;
        if (before > routine) routine = before;
        if (after > routine) routine = after;
        const faded = here * K.RECUR_FADE;
        f[S.PEAK + b] = surprise > faded ? surprise : faded;
        if (!(surprise > routine)) surprise *= K.RECUR_FACTOR;
      }

      // De-duplication (suppress.ts): compare with the max of the previous SUPPRESS_HORIZON surprises (0 before
      // the first), then push; the same block scheme as the range, with blocks of SUPPRESS_HORIZON.
      {
        const j = this.recentPos;
        let prev: number;
        if (j === 0) {
          prev = t === 0 ? 0 : f[S.RECENT]!;
        } else {
          prev = f[S.PRE_RECENT]!;
          if (t > j) {
            const h = f[S.RECENT + j]!;
            if (h > prev) prev = h;
          }
        }
        f[S.RECENT + j] = surprise;
        if (j === 0 || surprise > f[S.PRE_RECENT]!) f[S.PRE_RECENT] = surprise;
        if (j === K.SUPPRESS_HORIZON - 1) {
          this.closeRecentBlock();
          this.recentPos = 0;
        } else {
          this.recentPos = j + 1;
        }
        if (!(surprise > prev)) surprise *= K.RECUR_FACTOR;
      }

      out[i] = surprise > 0 ? surprise / (surprise + 4) : 0;
    }
  }

  stateBytes(): number {
    // The scalars and fixed tables (`f`: Holt-Winters tables, calibrators, recurrence peaks, recent
    // surprises), the seen counts, the range window (values and suffix extremes) and the object's fields.
    const range = this.rangeVals.byteLength + this.sufLo.byteLength;
    return this.f.length * 8 + this.seen.byteLength + range + 128;
  }

  /** The first range block outgrew its array: twice the room (at most the window), values kept. */
  private growRange(): Float64Array {
    const grown = new Float64Array(Math.min(2 * this.rangeVals.length, K.RANGE_WINDOW));
    grown.set(this.rangeVals);
    this.rangeVals = grown;
    return grown;
  }

  /**
   * The range block is full: its values become the previous block's suffix extremes, the highs in place
   * (each value is read before its slot is written) and the lows in `sufLo`.
   */
  private closeRangeBlock(): void {
    const vals = this.rangeVals;
    if (this.sufLo.length === 0) this.sufLo = new Float64Array(K.RANGE_WINDOW);
    const sufLo = this.sufLo;
    let hi = vals[K.RANGE_WINDOW - 1]!;
    let lo = hi;
    sufLo[K.RANGE_WINDOW - 1] = lo;
    for (let i = K.RANGE_WINDOW - 2; i >= 0; i--) {
      const x = vals[i]!;
      if (x > hi) hi = x;
      if (x < lo) lo = x;
      vals[i] = hi;
      sufLo[i] = lo;
    }
  }

  /** The block of recent surprises is full: its values become its suffix maxima, in place. */
  private closeRecentBlock(): void {
    const f = this.f;
    let hi = f[S.RECENT + K.SUPPRESS_HORIZON - 1]!;
    for (let i = S.RECENT + K.SUPPRESS_HORIZON - 2; i >= S.RECENT; i--) {
      const x = f[i]!;
      if (x > hi) hi = x;
      f[i] = hi;
    }
  }
}
