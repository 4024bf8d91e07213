/**
 * Maps a model's raw surprise to a tail probability using the series' own history of surprises, so that
 * scores mean the same thing on a calm CPU series and on a spiky tweet count (one threshold for all).
 *
 * Method: peaks over threshold, as in SPOT (Siffer et al., KDD 2017), made O(1) per point.
 * - The q-quantile u of past surprises is tracked by stochastic approximation in log space (a factor up
 *   when exceeded, a small factor down otherwise), which follows drifting scales and needs 8 bytes.
 * - Excesses over u are fitted with a generalised Pareto distribution by the method of moments
 *   (Hosking & Wallis 1987) on exponentially weighted moments, so the tail forgets slowly.
 * - P(Z ≥ z) = r·(1 + ξ(z − u)/σ)^(−1/ξ) above u, where r is the observed rate of exceeding u (about
 *   1 − q, but far lower when most surprises are exactly 0, e.g. for range breakouts); below u it is
 *   interpolated to 1 at z = 0.
 * The probability for point t is computed before t is learned: a point never explains itself away.
 * Excesses enter the moments capped at a multiple of the current scale, so one huge anomaly does not
 * inflate the tail and hide the next one.
 */
const Q = 0.95;
const STEP = 0.05;
const EXCESS_MEMORY = 100;
const WARMUP = 200;
const EXCESS_CAP = 20;
const RATE_MEMORY = 8000;
const XI_MAX = 0.8;
const INV_RATE_MEMORY = 1 / RATE_MEMORY;
// Multiplicative steps: log-space stochastic approximation without a log or exp per point.
const UP = Math.exp(STEP * Q);
const DOWN = Math.exp(-STEP * (1 - Q));
// Larger steps while warming up, so u reaches the surprises' own scale from its arbitrary start.
const UP_FAST = Math.exp(10 * STEP * Q);
const DOWN_FAST = Math.exp(-10 * STEP * (1 - Q));

export class TailCalibrator {
  private u = 2;
  private n = 0;
  private nExc = 0;
  private m1 = 0;
  private m2 = 0;
  /** Observed fraction of surprises above u: near 1 − Q normally, far lower for mostly-zero surprises. */
  private rate = 1 - Q;

  /** Tail probability of surprise z ≥ 0 given past surprises; then learns z. NaN → 1, not learned. */
  update(z: number): number {
    if (!(z >= 0)) return 1;
    const p = this.n < WARMUP ? 1 : this.tail(z);
    this.learn(z);
    return p;
  }

  tail(z: number): number {
    if (z <= 0) return 1; // the common case for mostly-zero surprises: no division, no tail
    const u = this.u;
    // After n points without an exceedance the rate is below ~1/n, never 0: no point gets p = 0.
    const n1 = this.n + 1;
    const rate = Math.max(this.rate, n1 < RATE_MEMORY ? 1 / n1 : INV_RATE_MEMORY);
    if (z <= u) return 1 - ((1 - rate) * z) / u;
    if (this.nExc < 2) return rate;
    const mean = this.m1;
    const variance = Math.max(this.m2 - mean * mean, 1e-300);
    const ratio = (mean * mean) / variance;
    const xi = Math.min(Math.max(0.5 * (1 - ratio), 0), XI_MAX);
    const sigma = Math.max(0.5 * mean * (1 + ratio), 1e-12);
    const e = (z - u) / sigma;
    const survival = xi < 1e-6 ? Math.exp(-e) : Math.pow(1 + xi * e, -1 / xi);
    return rate * survival;
  }

  stateBytes(): number {
    return 6 * 8;
  }

  private learn(z: number): void {
    this.n++;
    const u = this.u;
    const d = (z > u ? 1 : 0) - this.rate;
    this.rate += this.n < RATE_MEMORY ? d / this.n : d * INV_RATE_MEMORY;
    if (z > u) {
      const cap = EXCESS_CAP * Math.max(this.m1, 1e-9 * u);
      const e = this.nExc < 10 ? z - u : Math.min(z - u, cap);
      this.nExc++;
      const a = 1 / Math.min(this.nExc, EXCESS_MEMORY);
      this.m1 += a * (e - this.m1);
      this.m2 += a * (e * e - this.m2);
      this.u = u * (this.n < WARMUP ? UP_FAST : UP);
    } else {
      this.u = u * (this.n < WARMUP ? DOWN_FAST : DOWN);
    }
    // Keep u strictly positive and finite whatever the input scale.
    if (this.u < 1e-12) this.u = 1e-12;
    else if (this.u > 1e12) this.u = 1e12;
  }
}

/**
 * A combined tail probability at or above this is no evidence of anything (L = −log10(p) ≤ 1: about one
 * point in ten looks at least that unusual on any series), so its surprise is 0. What this changes: only
 * scores of 0.2 or less (L ≤ 1). Such points score 0, and a surprise the recurrence discount already halved below
 * 1 is no longer halved again by the suppressor because of one of them. No score of 0.2 or more moves, to
 * the bit: the recurrence peaks and the suppressor's window are maxima of what they were fed, so a
 * contribution below 1 never decides whether a surprise of 1 or more is discounted (checked on every NAB
 * dev row for the three directions). Why: on a noisy series about 30 % of points have
 * 0.1 ≤ p < 1; they now skip the logarithm and both discounts (`npm run bench`: per-point path 18 % faster).
 */
export const NEWS_P = 0.1;

/** Surprise in decades: L = −log10(p), finite (p is floored at 1e-300); 0 when p ≥ NEWS_P. */
export function surpriseOf(p: number): number {
  return p < NEWS_P ? -Math.log10(Math.max(p, 1e-300)) : 0;
}

/** Maps L = −log10(p) to a score in [0, 1): L/(L + 4), so p = 1e-4 ↦ 0.5, monotone and never saturating. */
export function scoreFromSurprise(l: number): number {
  return l > 0 ? l / (l + 4) : 0;
}
