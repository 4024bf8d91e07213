/**
 * Forecast combination: the point forecast is the median (or mean) of several fitted models'
 * forecasts, step by step. Combinations beat picking one model in the M3/M4 competitions because a
 * per-series choice made on a short validation window is noisy; averaging hedges it without any
 * tuned constant.
 *
 * Intervals: the empirical quantiles of the combination's own one-step in-sample residuals
 * (y − combined one-step fitted value), widened with the horizon by the components' mean
 * relative band growth (width at h / width at 1), so each component contributes how its errors
 * accumulate (√h for naive, flat for a deterministic curve, the ETS multiplier for Holt-Winters).
 */
import { bandForecast, type FittedModel, residualBand } from './model.js';
import { median } from './stats.js';

/** median; mean; trimmed = mean without the lowest and highest value (with ≥ 4 values). */
export type CombineRule = 'median' | 'mean' | 'trimmed';

const rules: Record<CombineRule, (values: number[]) => number> = { median, mean: meanOf, trimmed: trimmedMean };

/** Step-wise combination of point-forecast paths of equal length. */
export function combineForecasts(paths: readonly Float64Array[], rule: CombineRule): Float64Array {
  const out = new Float64Array(paths[0]?.length ?? 0);
  const at: number[] = new Array<number>(paths.length);
  for (let h = 0; h < out.length; h++) {
    for (let c = 0; c < paths.length; c++) at[c] = paths[c]![h]!;
    out[h] = rules[rule](at);
  }
  return out;
}

/** Combines fitted models (all on the same series). With one model, that model is returned as is. */
export function combineModels(models: readonly FittedModel[], rule: CombineRule = 'median'): FittedModel {
  if (models.length === 0) throw new RangeError('nothing to combine');
  if (models.length === 1) return models[0]!;
  const combine = rules[rule];
  const n = models[0]!.residuals.length;
  // Fitted one-step value of component c at t is y_t − r_c(t); y_t itself is unknown here, but the
  // combination's residual y_t − combine(y_t − r_c) = combine(r_c) for these symmetric rules.
  const residuals = new Float64Array(n);
  const at: number[] = new Array<number>(models.length);
  for (let t = 0; t < n; t++) {
    let ok = true;
    for (let c = 0; c < models.length; c++) {
      const r = models[c]!.residuals[t]!;
      if (!Number.isFinite(r)) ok = false;
      at[c] = r;
    }
    residuals[t] = ok ? combine(at) : Number.NaN;
  }
  const params: Record<string, number> = { components: models.length };
  return {
    name: 'combination',
    seasonPeriod: models.find((m) => m.seasonPeriod !== null)?.seasonPeriod ?? null,
    params,
    residuals,
    predict(horizon, level) {
      const forecasts = models.map((m) => m.predict(horizon, level));
      const mean = new Float64Array(horizon);
      const growth = new Float64Array(horizon);
      const step: number[] = new Array<number>(models.length);
      for (let h = 0; h < horizon; h++) {
        let g = 0;
        for (let c = 0; c < models.length; c++) {
          const f = forecasts[c]!;
          step[c] = f.mean[h]!;
          const w1 = f.upper[0]! - f.lower[0]!;
          g += w1 > 0 ? (f.upper[h]! - f.lower[h]!) / w1 : Math.sqrt(h + 1);
        }
        mean[h] = combine(step);
        growth[h] = g / models.length;
      }
      return bandForecast(mean, residualBand(residuals, level), (h) => Math.max(1, growth[h - 1]!));
    },
  };
}

function trimmedMean(values: number[]): number {
  if (values.length < 4) return median(values);
  const sorted = [...values].sort((a, b) => a - b);
  return meanOf(sorted.slice(1, -1));
}

function meanOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}
