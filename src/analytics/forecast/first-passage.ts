/**
 * When will a series first reach a limit, as a range? The pointwise prediction band says where the series
 * is likely to be at each future step; a limit is hit at the *first* step the series reaches it, and over
 * hundreds of steps some step almost surely lands in the band's upper tail. So the step at which the upper
 * band crosses the limit is not the earliest plausible crossing: a spiky series gets there much sooner
 * (`npm run eval:exhaustion`: 43 % of the crossings that happened lay inside the old band-crossing range).
 *
 * The model's uncertainty has two parts, and they add up differently over time:
 * - the path: where the level and trend will be (the growth of the band beyond its one-step width, e.g. the
 *   slope's confidence interval, or Holt-Winters' accumulated level shocks). It is one unknown for the whole
 *   horizon, so it is taken as two scenarios: the band's upper and lower edges minus the noise's quantiles;
 * - the noise around the path: the one-step error, a fresh draw at every step. Each step's chance of reaching
 *   the limit, q_s, is read off the in-sample one-step residuals' quantiles at several levels (log-interpolated
 *   between them, with an exponential tail beyond the 1 % quantile or, with fewer than 2,000 residuals, beyond the
 *   one with 20 residuals above it, at most the 10 % one; see NoiseTail), and the
 *   chance of no crossing by step t is ∏(1 − q_s) raised to (1 − ρ)/(1 + ρ), ρ the lag-1 autocorrelation of
 *   the one-step residuals (the usual effective-sample-size factor: an excursion that lasts several steps is
 *   not that many independent chances).
 * Earliest plausible crossing: the crossing probability on the upper path reaches (1 − level)/2; latest: on
 * the lower path it reaches 1 − (1 − level)/2 (null when that does not happen within the horizon). The median
 * crossing and the chance of one within the horizon average the crossing probability over the path's
 * uncertainty instead (PATH_Z). Known limit: each path slice is rigid, right for a trend's slope, but a random
 * walk's path wanders and crosses about twice as often as it ends above the limit (the reflection principle),
 * so for naive and Holt-Winters' level the chance is understated (evals/exhaustion/README.md).
 */
import { residualBandSorted, type FittedModel, type PointForecast } from './model.js';
import { autocorrelation, normalQuantile, quantileSorted, rootMeanSquare, sortedFinite } from './stats.js';

/** Upper-tail probabilities at which the one-step noise's empirical quantiles are read. */
const TAILS = [0.4, 0.25, 0.1, 0.05, 0.025, 0.01] as const;
/** Fewest residuals beyond the tail threshold: below 1 % the threshold moves up to keep this many. */
const MIN_TAIL_COUNT = 20;
/**
 * Where the path uncertainty is averaged over: the midpoints of 10 equally likely slices of N(0, 1). Not
 * Gauss–Hermite: the crossing chance jumps from about 0 to about 1 as the path passes the limit, and a step
 * function needs even weights, not a few heavy central nodes (5-point Gauss–Hermite put 53 % on the central path).
 */
const PATH_Z = Array.from({ length: 10 }, (_, i) => normalQuantile((i + 0.5) / 10));
/** The exponential tail starts at the 10 % quantile at the earliest (see noiseOf). */
const TAIL_START_MAX = 0.1;

/**
 * The one-step noise's upper tail as knots (excess over the forecast, tail probability), from (0, 0.5) out
 * to a threshold u exceeded by a share t0 of the residuals, and beyond u an exponential tail (a generalised
 * Pareto tail of shape 0) whose scale is the residuals' mean excess over u: extreme empirical quantiles of a
 * few hundred residuals are their largest one or two values, and no basis for extrapolation.
 */
export interface NoiseTail {
  excess: number[];
  tail: number[];
  /** Mean excess over the last knot; 0 when nothing lies beyond it. */
  scale: number;
}

export interface FirstPassage {
  /** Milliseconds until the crossing probability (upper path) reaches (1 − level)/2; null: not within the horizon. */
  earliestMs: number | null;
  /** Milliseconds until the crossing probability (lower path) reaches 1 − (1 − level)/2; null: not within the horizon. */
  latestMs: number | null;
  /** Milliseconds until a crossing is more likely than not (averaged over the path); null: not within the horizon. */
  medianMs: number | null;
  /** Chance of a crossing within the horizon (averaged over the path). */
  probability: number;
}

/** P(noise ≥ x) for x ≥ 0, from the knots and the exponential tail (0.5 at x = 0). */
function upperTail(noise: NoiseTail, x: number): number {
  const { excess, tail, scale } = noise;
  const last = excess.length - 1;
  if (x <= 0) return 0.5;
  if (x > excess[last]!) return scale > 0 ? tail[last]! * Math.exp(-(x - excess[last]!) / scale) : 0;
  let k = 1;
  while (excess[k]! < x) k++;
  const f = excess[k]! > excess[k - 1]! ? (x - excess[k - 1]!) / (excess[k]! - excess[k - 1]!) : 1;
  return Math.exp(Math.log(tail[k - 1]!) + f * (Math.log(tail[k]!) - Math.log(tail[k - 1]!)));
}

/**
 * Per step, P(path value + one-step noise ≥ limit). Once the path is past the limit, the chance that the noise
 * pulls the value back below it is taken as the mirror of the upper tail (the residuals' lower tail is not
 * modelled separately). For noise skewed upwards (spikes) that overstates the pull-back, so the latest ETA,
 * read on the lower path, errs late.
 */
function exceedance(path: Float64Array, noise: NoiseTail, limit: number): Float64Array {
  const q = new Float64Array(path.length);
  // No noise at all (every residual 0, e.g. a noiseless ramp): the path itself crosses, at the step it reaches the limit.
  const noiseless = noise.excess[noise.excess.length - 1] === 0 && noise.scale === 0;
  for (let s = 0; s < path.length; s++) {
    const gap = limit - path[s]!;
    if (noiseless) q[s] = gap <= 0 ? 1 : 0;
    else q[s] = gap >= 0 ? upperTail(noise, gap) : 1 - upperTail(noise, -gap);
  }
  return q;
}

/**
 * The chance of having crossed by each step: 1 − ∏(1 − q_s)^independent, and never less than the largest
 * single q_s so far (a step's own chance of being at the limit is a floor whatever the dependence).
 */
function crossedBy(q: Float64Array, independent: number): Float64Array {
  const out = new Float64Array(q.length);
  let logNone = 0;
  let most = 0;
  for (let s = 0; s < q.length; s++) {
    const qs = Math.min(q[s]!, 1 - 1e-12);
    logNone += independent * Math.log1p(-qs);
    if (qs > most) most = qs;
    out[s] = Math.max(1 - Math.exp(logNone), most);
  }
  return out;
}

/** First step (in ms) at which the chance of having crossed reaches `p`, or null within the horizon. */
function passageAt(crossed: Float64Array, p: number, stepMs: number): number | null {
  for (let s = 0; s < crossed.length; s++) if (crossed[s]! >= p) return (s + 1) * stepMs;
  return null;
}

/** The noise tail (see NoiseTail) and the residual quantiles of the band's own level, from residuals sorted once. */
function noiseOf(residuals: Float64Array, level: number): { tail: NoiseTail; hi: number; lo: number } {
  const sorted = sortedFinite(residuals);
  const n = sorted.length;
  const band = residualBandSorted(sorted, level);
  const hi = Math.max(0, band.hi);
  const lo = Math.min(0, band.lo);
  if (n < 30) {
    // As residualBand: Gaussian from the RMS; beyond 1 % an exponential tail with the normal's mean excess over
    // its 99 % quantile z, φ(z)/0.01 − z (about 0.34 σ).
    const rms = rootMeanSquare(sorted);
    const z = normalQuantile(0.99);
    const meanExcess = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) / 0.01 - z;
    return {
      tail: { excess: [0, ...TAILS.map((t) => normalQuantile(1 - t) * rms)], tail: [0.5, ...TAILS], scale: meanExcess * rms },
      hi,
      lo,
    };
  }
  // At most the 10 % tail, so the knots at 40 % and 25 % always exist and the tail starts beyond them: with
  // only 30–200 residuals that means fewer than MIN_TAIL_COUNT beyond it, but a tail that stays monotone.
  const t0 = Math.min(TAIL_START_MAX, Math.max(TAILS[TAILS.length - 1]!, MIN_TAIL_COUNT / n));
  const excess = [0];
  const tail = [0.5];
  for (const t of TAILS) {
    if (t <= t0) break;
    excess.push(Math.max(excess[excess.length - 1]!, quantileSorted(sorted, 1 - t)));
    tail.push(t);
  }
  const u = Math.max(excess[excess.length - 1]!, quantileSorted(sorted, 1 - t0));
  excess.push(u);
  tail.push(t0);
  let sum = 0;
  let count = 0;
  for (let i = n - 1; i >= 0 && sorted[i]! > u; i--) {
    sum += sorted[i]! - u;
    count++;
  }
  return { tail: { excess, tail, scale: count > 0 ? sum / count : 0 }, hi, lo };
}

/**
 * The first-crossing range of `limit` for a forecast `band` (the model's prediction at `level`, steps 1..n)
 * from `fitted`, whose in-sample one-step residuals give the noise.
 */
export function firstPassage(fitted: FittedModel, band: PointForecast, limit: number, level: number, stepMs: number): FirstPassage {
  const mean = band.mean;
  const horizon = mean.length;
  const noise = noiseOf(fitted.residuals, level);
  // The path scenarios: the band's edges without the one-step noise's share of them.
  const upper = new Float64Array(horizon);
  const lower = new Float64Array(horizon);
  for (let s = 0; s < horizon; s++) {
    upper[s] = mean[s]! + Math.max(0, band.upper[s]! - mean[s]! - noise.hi);
    lower[s] = mean[s]! - Math.max(0, mean[s]! - band.lower[s]! + noise.lo);
  }
  const rho = autocorrelation(fitted.residuals, 1);
  const r = Number.isFinite(rho) ? Math.min(Math.max(rho, 0), 0.99) : 0;
  const independent = (1 - r) / (1 + r);
  const tail = (1 - level) / 2;
  // The path is one unknown for the whole horizon: average the crossing chance over it (PATH_Z; the path at z
  // standard deviations interpolates towards the scenario edges, which sit at the level's z).
  const zLevel = normalQuantile(1 - tail);
  const mixture = new Float64Array(horizon);
  const path = new Float64Array(horizon);
  for (let k = 0; k < PATH_Z.length; k++) {
    const z = PATH_Z[k]! / zLevel;
    for (let s = 0; s < horizon; s++) path[s] = mean[s]! + (z >= 0 ? z * (upper[s]! - mean[s]!) : z * (mean[s]! - lower[s]!));
    const crossed = crossedBy(exceedance(path, noise.tail, limit), independent);
    for (let s = 0; s < horizon; s++) mixture[s] = mixture[s]! + crossed[s]! / PATH_Z.length;
  }
  return {
    earliestMs: passageAt(crossedBy(exceedance(upper, noise.tail, limit), independent), tail, stepMs),
    latestMs: passageAt(crossedBy(exceedance(lower, noise.tail, limit), independent), 1 - tail, stepMs),
    medianMs: passageAt(mixture, 0.5, stepMs),
    probability: horizon > 0 ? mixture[horizon - 1]! : 0,
  };
}
