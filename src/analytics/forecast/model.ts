/**
 * The contract every forecasting model implements, plus the residual-quantile band used to turn a
 * model's one-step errors into prediction intervals.
 *
 * Interval choice (documented for reviewers): the band at horizon h is
 * `mean_h + q(residuals, (1∓level)/2) × spread(h)`, i.e. the empirical quantiles of the in-sample
 * one-step residuals (no normality assumption, so skewed metrics get skewed intervals) scaled by the
 * model's analytic growth of the forecast standard deviation with the horizon (√h for a random walk,
 * the ETS(A,Ad,A) variance multiplier for Holt-Winters). The robust trend model adds its slope
 * uncertainty separately. With fewer than 30 residuals the quantiles fall back to ±z·RMS.
 */
import { normalQuantile, quantileSorted, rootMeanSquare, sortedFinite } from './stats.js';

export type ModelName = 'naive' | 'seasonal-naive' | 'holt-winters' | 'robust-trend' | 'theta' | 'recent-median' | 'combination';

export interface PointForecast {
  /** Point forecasts for steps 1..horizon after the last grid point. */
  mean: Float64Array;
  /** Lower / upper prediction bounds at the requested level. */
  lower: Float64Array;
  upper: Float64Array;
}

/** A model fitted to a regular series whose last index is `n - 1`. */
export interface FittedModel {
  readonly name: ModelName;
  /** Season length in steps, or null for a non-seasonal fit. */
  readonly seasonPeriod: number | null;
  /** Fitted parameters, for reports and debugging. */
  readonly params: Readonly<Record<string, number>>;
  /** In-sample one-step-ahead residuals (actual − forecast), NaN where the actual was missing. */
  readonly residuals: Float64Array;
  /** Forecast `horizon` steps ahead with a central prediction interval of probability `level`. */
  predict(horizon: number, level: number): PointForecast;
}

/** Lower / upper residual quantiles for a central interval of probability `level`. */
export interface ResidualBand {
  lo: number;
  hi: number;
}

/** Empirical (or, with < 30 residuals, Gaussian) quantiles of the finite residuals. */
export function residualBand(residuals: ArrayLike<number>, level: number): ResidualBand {
  return residualBandSorted(sortedFinite(residuals), level);
}

/** {@link residualBand} of residuals already finite and sorted ascending (`sortedFinite`), without another copy. */
export function residualBandSorted(sorted: ArrayLike<number>, level: number): ResidualBand {
  const tail = (1 - level) / 2;
  if (sorted.length >= 30) return { lo: quantileSorted(sorted, tail), hi: quantileSorted(sorted, 1 - tail) };
  if (sorted.length === 0) return { lo: 0, hi: 0 };
  const z = normalQuantile(1 - tail);
  const rms = rootMeanSquare(sorted);
  return { lo: -z * rms, hi: z * rms };
}

/** Builds a {@link PointForecast} from point forecasts, a residual band and a horizon spread. */
export function bandForecast(mean: Float64Array, band: ResidualBand, spread: (h: number) => number): PointForecast {
  const lower = new Float64Array(mean.length);
  const upper = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    const s = spread(i + 1);
    lower[i] = mean[i]! + Math.min(0, band.lo) * s;
    upper[i] = mean[i]! + Math.max(0, band.hi) * s;
  }
  return { mean, lower, upper };
}
