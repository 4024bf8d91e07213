/**
 * Theil-Sen robust line fit: the slope is the median of pairwise slopes, so up to ~29% of outliers
 * (spikes, restarts) cannot drag it. With a season, only pairs a whole number of seasons apart are
 * used (Hirsch's seasonal Sen slope), so the daily pattern cancels exactly instead of biasing the
 * slope. Includes Sen's rank-based confidence interval for the slope, corrected for autocorrelated
 * residuals, which capacity planning uses for its ETA range.
 */
import { autocorrelation, median, normalQuantile, seededRandom } from './stats.js';

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
  // Written straight into a typed array of the final size (a growing number[] and its copy cost as much as the fit).
  const slopes = new Float64Array(Math.min(totalPairs, maxPairs));
  let k = 0;
  if (totalPairs <= maxPairs) {
    for (const g of groups) for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) slopes[k++] = slope2(g[a]!, g[b]!);
  } else {
    // Sample groups in proportion to their pair counts, then a random pair inside the group.
    const random = seededRandom(0x5eed ^ points);
    const cumulative: number[] = [];
    pairCounts.reduce((acc, c, i) => (cumulative[i] = acc + c), 0);
    while (k < maxPairs) {
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
      slopes[k++] = a < b ? slope2(g[a]!, g[b]!) : slope2(g[b]!, g[a]!);
    }
  }
  // Three quantiles of the slopes by selection (O(n) each) rather than a full sort: the same order
  // statistics, so the same values as quantileSorted over the sorted slopes.
  const slope = quantileSelect(slopes, 0.5);
  const xs: number[] = [];
  groups.forEach((g) => xs.push(...g));
  const centre = median(xs);
  const intercept = median(xs.map((x) => y[x]! - slope * (x - centre)));

  // Residual autocorrelation between consecutive same-phase points (lag `period` in the series).
  const residuals = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) residuals[i] = Number.isFinite(y[i]!) ? y[i]! - intercept - slope * (i - centre) : Number.NaN;
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
    slopeLow: quantileSelect(slopes, lowRank),
    slopeHigh: quantileSelect(slopes, highRank),
    points,
  };
}

/**
 * quantileSorted(sorted copy of `values`, p) without sorting: the order statistics at ⌊p(n−1)⌋ and the
 * next one, found by quickselect (which reorders `values` in place; the multiset is unchanged, so later
 * selections on the same array stay exact). `values` holds no NaN.
 */
function quantileSelect(values: Float64Array, p: number): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  const pos = Math.min(1, Math.max(0, p)) * (n - 1);
  const lo = Math.floor(pos);
  const low = select(values, lo);
  if (lo + 1 >= n) return low;
  // Everything after index lo is ≥ the lo-th value: the next order statistic is their minimum.
  let next = values[lo + 1]!;
  for (let i = lo + 2; i < n; i++) if (values[i]! < next) next = values[i]!;
  return low + (next - low) * (pos - lo);
}

/** The k-th smallest value (0-based), placed at index k with smaller-or-equal values before it and larger-or-equal after. */
function select(a: Float64Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as the pivot, then Hoare partition.
    const mid = (left + right) >> 1;
    const x = a[left]!;
    const y = a[mid]!;
    const z = a[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}
