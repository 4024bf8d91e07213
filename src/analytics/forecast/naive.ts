/**
 * The naive (last value) and seasonal-naive (value one season ago) forecasts: the benchmarks every
 * other model must beat, and the fallback for series too short to fit anything else.
 */
import { bandForecast, type FittedModel, residualBand } from './model.js';

/** Last-value forecast. Intervals grow like a random walk (√h). */
export function fitNaive(values: Float64Array): FittedModel {
  const last = lastFinite(values);
  const residuals = new Float64Array(values.length).fill(Number.NaN);
  let previous = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (Number.isFinite(previous)) residuals[i] = v - previous;
    previous = v;
  }
  return {
    name: 'naive',
    seasonPeriod: null,
    params: {},
    residuals,
    predict(horizon, level) {
      const mean = new Float64Array(horizon).fill(last);
      return bandForecast(mean, residualBand(residuals, level), (h) => Math.sqrt(h));
    },
  };
}

/**
 * Seasonal-naive forecast with season `period` steps: y[n-1+h] = y[n-1+h-k·period] for the smallest
 * k ≥ 1 that reaches an observed value (falling back to the last value). Intervals grow with the
 * number of seasons spanned (√k).
 */
export function fitSeasonalNaive(values: Float64Array, period: number): FittedModel {
  const residuals = new Float64Array(values.length).fill(Number.NaN);
  for (let i = period; i < values.length; i++) residuals[i] = values[i]! - values[i - period]!;
  const last = lastFinite(values);
  const n = values.length;
  return {
    name: 'seasonal-naive',
    seasonPeriod: period,
    params: { period },
    residuals,
    predict(horizon, level) {
      const mean = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) {
        let index = n - 1 + h - Math.ceil(h / period) * period;
        while (index >= 0 && !Number.isFinite(values[index]!)) index -= period;
        mean[h - 1] = index >= 0 ? values[index]! : last;
      }
      return bandForecast(mean, residualBand(residuals, level), (h) => Math.sqrt(Math.ceil(h / period)));
    },
  };
}

/** The last finite value (NaN when none). */
export function lastFinite(values: ArrayLike<number>): number {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i]!;
    if (Number.isFinite(v)) return v;
  }
  return Number.NaN;
}
