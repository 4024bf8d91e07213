/**
 * Theil-Sen robust line fit: the slope is the median of pairwise slopes, so up to ~29% of outliers
 * (spikes, restarts) cannot drag it. With a season, only pairs a whole number of seasons apart are
 * used (Hirsch's seasonal Sen slope), so the daily pattern cancels exactly instead of biasing the
 * slope. Includes Sen's rank-based confidence interval for the slope, corrected for autocorrelated
 * residuals, which capacity planning uses for its ETA range.
 */
import { autocorrelation, median, normalQuantile, quantileSorted, seededRandom } from './stats.js';

export interface TheilSenFit {
  /** Value of the line at x = `centre`. */
  intercept: number;
  slope: number;
  /** Centre of the finite x positions; the line is `intercept + slope · (x − centre)`. */
  centre: number;
  /** Confidence interval of the slope at the requested level. */
  slopeLow: number;
  slopeHigh: number;
  /** Finite points used. */
  points: number;
}

export interface TheilSenOptions {
  /** Confidence level of the slope interval (default 0.9). */
  level?: number;
  /** Above this many pairs, a seeded random sample of pairs is used (default 20,000). */
  maxPairs?: number;
  /** Only pair points whose index difference is a multiple of this (default 1 = all pairs). */
  period?: number;
}

/**
 * Fits `y = intercept + slope · (x − centre)` to the finite points of `y` at positions `x = index`.
 * Returns null when no usable pair exists (fewer than 2 finite points, or no two in the same phase).
 *
 * Slope interval: Sen (1968) ranks C = z·√Var(S) into the sorted pairwise slopes, with
 * Var(S) = Σ_groups n(n−1)(2n+5)/18 over the phase groups (one group without a season), each n
 * replaced by the effective size n·(1−ρ)/(1+ρ), ρ = autocorrelation of the residuals between
 * consecutive points of a group (floored at 0). Metric noise is strongly autocorrelated and the
 * textbook interval would be far too narrow.
 */
export function theilSen(y: ArrayLike<number>, options: TheilSenOptions = {}): TheilSenFit | null {
  const level = options.level ?? 0.9;
  const maxPairs = options.maxPairs ?? 20_000;
  const period = Math.max(1, Math.round(options.period ?? 1));
  const groups: number[][] = Array.from({ length: period }, () => []);
  let points = 0;
  for (let i = 0; i < y.length; i++) {
    if (Number.isFinite(y[i]!)) {
      groups[i % period]!.push(i);
      points++;
    }
  }
  const pairCounts = groups.map((g) => (g.length * (g.length - 1)) / 2);
  const totalPairs = pairCounts.reduce((a, b) => a + b, 0);
  if (totalPairs === 0) return null;
  const slope2 = (i: number, j: number): number => (y[j]! - y[i]!) / (j - i);
  const slopes: number[] = [];
  if (totalPairs <= maxPairs) {
    for (const g of groups) for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) slopes.push(slope2(g[a]!, g[b]!));
  } else {
    // Sample groups in proportion to their pair counts, then a random pair inside the group.
    const random = seededRandom(0x5eed ^ points);
    const cumulative: number[] = [];
    pairCounts.reduce((acc, c, k) => (cumulative[k] = acc + c), 0);
    while (slopes.length < maxPairs) {
      const r = random() * totalPairs;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > r) hi = mid;
        else lo = mid + 1;
      }
      const g = groups[lo]!;
      const a = Math.floor(random() * g.length);
      const b = Math.floor(random() * g.length);
      if (a === b) continue;
      slopes.push(a < b ? slope2(g[a]!, g[b]!) : slope2(g[b]!, g[a]!));
    }
  }
  const sorted = Float64Array.from(slopes).sort();
  const slope = quantileSorted(sorted, 0.5);
  const xs: number[] = [];
  groups.forEach((g) => xs.push(...g));
  const centre = median(xs);
  const intercept = median(xs.map((x) => y[x]! - slope * (x - centre)));

  // Residual autocorrelation between consecutive same-phase points (lag `period` in the series).
  const residuals = Float64Array.from({ length: y.length }, (_, i) =>
    Number.isFinite(y[i]!) ? y[i]! - intercept - slope * (i - centre) : Number.NaN,
  );
  const rho = Math.max(0, autocorrelation(residuals, period) || 0);
  const shrink = (1 - rho) / (1 + rho);
  let varianceS = 0;
  let pairsEff = 0;
  for (const g of groups) {
    const nEff = Math.max(1, g.length * shrink);
    varianceS += (nEff * (nEff - 1) * (2 * nEff + 5)) / 18;
    pairsEff += (nEff * (nEff - 1)) / 2;
  }
  const c = normalQuantile(0.5 + level / 2) * Math.sqrt(varianceS);
  const lowRank = pairsEff > 0 ? Math.max(0, (pairsEff - c) / 2 / pairsEff) : 0;
  const highRank = pairsEff > 0 ? Math.min(1, (pairsEff + c) / 2 / pairsEff) : 1;
  return {
    intercept,
    slope,
    centre,
    slopeLow: quantileSorted(sorted, lowRank),
    slopeHigh: quantileSorted(sorted, highRank),
    points,
  };
}
