/**
 * Robust linear trend (Theil-Sen) plus, when the series has a season, a robust seasonal profile
 * (the median residual per phase). This is the capacity-planning model: over days it extrapolates a
 * steady growth rate rather than the last few minutes' local slope, and outliers cannot bend it.
 *
 * Intervals: residual quantiles around the fitted line+season (constant in h, since the residuals are
 * deviations from a deterministic curve, not accumulated shocks) plus the slope's confidence
 * interval, which widens linearly with the distance from the data's centre.
 */
import { bandForecast, type FittedModel, residualBand } from './model.js';
import { median } from './stats.js';
import { type TheilSenFit, theilSen } from './theil-sen.js';

export interface RobustTrendOptions {
  /** Season length in steps; null for a plain line. Needs two full seasons to be used. */
  period?: number | null;
  /** Confidence level of the slope interval (default: the level passed to `predict`, fitted at 0.9). */
  slopeLevel?: number;
}

/** Fits the robust trend (+ seasonal profile). Returns null with fewer than 2 finite points. */
export function fitRobustTrend(values: Float64Array, options: RobustTrendOptions = {}): FittedModel | null {
  const n = values.length;
  const period = options.period != null && options.period >= 2 && n >= 2 * options.period ? options.period : null;
  const slopeLevel = options.slopeLevel ?? 0.9;
  // Seasonal Sen slope: pairs a whole number of seasons apart, so the daily pattern cancels out.
  const fit = theilSen(values, { level: slopeLevel, period: period ?? 1 });
  if (!fit) return null;
  let line: TheilSenFit = fit;
  let profile: Float64Array = new Float64Array(1);
  if (period) {
    profile = seasonalProfile(values, fit, period);
    // Move the profile's median into the intercept so the line carries the level.
    const offset = median(profile);
    profile = profile.map((p) => p - offset);
    line = { ...fit, intercept: fit.intercept + offset };
  }
  const curve = (x: number): number => line.intercept + line.slope * (x - line.centre) + (period ? profile[x % period]! : 0);
  const residuals = values.map((v, i) => (Number.isFinite(v) ? v - curve(i) : Number.NaN));
  return {
    name: 'robust-trend',
    seasonPeriod: period,
    params: { slope: line.slope, slopeLow: line.slopeLow, slopeHigh: line.slopeHigh, intercept: line.intercept, period: period ?? 0 },
    residuals,
    predict(horizon, level) {
      const mean = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) mean[h - 1] = curve(n - 1 + h);
      const band = bandForecast(mean, residualBand(residuals, level), () => 1);
      for (let h = 1; h <= horizon; h++) {
        const distance = n - 1 + h - line.centre;
        band.lower[h - 1] = band.lower[h - 1]! + Math.min(0, (line.slopeLow - line.slope) * distance);
        band.upper[h - 1] = band.upper[h - 1]! + Math.max(0, (line.slopeHigh - line.slope) * distance);
      }
      return band;
    },
  };
}

/** Median detrended value per phase (0 for a phase never observed). */
function seasonalProfile(values: Float64Array, fit: TheilSenFit, period: number): Float64Array {
  const buckets: number[][] = Array.from({ length: period }, () => []);
  values.forEach((v, i) => {
    if (Number.isFinite(v)) buckets[i % period]!.push(v - fit.intercept - fit.slope * (i - fit.centre));
  });
  return Float64Array.from(buckets, (b) => (b.length > 0 ? median(b) : 0));
}
