/**
 * Small numeric helpers (quantiles, normal quantile, autocorrelation) shared by the forecasting,
 * capacity and right-sizing code. Every function ignores NaN inputs unless stated otherwise.
 */

/**
 * Quantile `p` in [0, 1] of the finite values, linearly interpolated between order statistics
 * (Hyndman & Fan type 7, the R / NumPy default). Returns NaN for an empty input.
 */
export function quantile(values: ArrayLike<number>, p: number): number {
  const sorted = sortedFinite(values);
  return quantileSorted(sorted, p);
}

/** {@link quantile} on an already ascending-sorted, NaN-free array (no copy). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const q = Math.min(1, Math.max(0, p));
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const frac = pos - lo;
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * frac;
}

/** Ascending copy of the finite values. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}

/** Median of the finite values (NaN when none). */
export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Mean of the finite values (NaN when none). */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Root mean square of the values, all assumed finite (0 when there are none). */
export function rootMeanSquare(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * values[i]!;
  return values.length === 0 ? 0 : Math.sqrt(sum / values.length);
}

/** Maximum of the finite values (NaN when none). */
export function max(values: ArrayLike<number>): number {
  let best = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && !(v <= best)) best = v;
  }
  return best;
}

/**
 * Sample autocorrelation at `lag`, using only pairs where both ends are finite and the mean /
 * variance of all finite values. Returns NaN when fewer than 3 pairs exist or the series is constant.
 */
export function autocorrelation(values: ArrayLike<number>, lag: number): number {
  const mu = mean(values);
  if (!Number.isFinite(mu)) return Number.NaN;
  let variance = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      variance += (v - mu) * (v - mu);
      count++;
    }
  }
  variance /= count;
  if (!(variance > 0)) return Number.NaN;
  let cov = 0;
  let pairs = 0;
  for (let i = lag; i < values.length; i++) {
    const a = values[i]!;
    const b = values[i - lag]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      cov += (a - mu) * (b - mu);
      pairs++;
    }
  }
  if (pairs < 3) return Number.NaN;
  return cov / pairs / variance;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
 * Used for the Gaussian fallback when there are too few residuals for empirical quantiles.
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  const poly = (coef: number[], x: number): number => coef.reduce((acc, k) => acc * x + k, 0);
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Deterministic 32-bit PRNG (mulberry32) so sampled estimators give reproducible answers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
