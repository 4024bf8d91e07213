/**
 * The forecasting entry point: regularise the series, detect a daily season, fit the requested
 * model (or choose one automatically by in-sample rolling validation) and return point forecasts
 * with prediction intervals on the series' own time grid.
 *
 * Fallbacks, so callers never need to special-case data quality:
 * - fewer than `minFitPoints` grid points, or a constant series → naive (last value);
 * - fewer than 3 days of data or no detectable daily pattern → non-seasonal models;
 * - a model that cannot be fitted (e.g. robust trend with < 2 points) → naive.
 */
import { z } from 'zod';
import { combineForecasts, combineModels } from './combination.js';
import { type AutoStrategy, autoStrategies, type MemberName } from './strategies.js';
import { fitHoltWinters } from './holt-winters.js';
import type { FittedModel, ModelName } from './model.js';
import { fitNaive, fitSeasonalNaive } from './naive.js';
import { regularize } from './regularize.js';
import { fitRobustTrend } from './robust-trend.js';
import { DAY_MS, detectSeason } from './seasonality.js';
import type { SeriesInput } from './series-input.js';
import { fitTheta } from './theta.js';
import { fitRecentMedian } from './recent-median.js';

export const forecastModelChoices = ['auto', 'holt-winters', 'robust-trend', 'naive', 'seasonal-naive'] as const;
export type ForecastModelChoice = (typeof forecastModelChoices)[number];

/** Options of {@link forecast}; validated with zod because they can come from an API request. */
export const forecastOptionsSchema = z.object({
  /** Steps to forecast. Default: ceil(horizonMs / step), or 12 when neither is given. */
  horizonSteps: z.number().int().positive().max(1_000_000).optional(),
  /** Forecast horizon in milliseconds (converted with the inferred step). */
  horizonMs: z.number().positive().optional(),
  /** Model to use; 'auto' picks by in-sample rolling validation at the requested horizon. */
  model: z.enum(forecastModelChoices).default('auto'),
  /** Central prediction-interval probability. */
  level: z.number().gt(0).lt(1).default(0.9),
  /** Season to test for (default one day). Set to 0 to disable seasonality. */
  seasonMs: z.number().nonnegative().default(DAY_MS),
  /** Only the most recent this-many grid points are fitted (bounds cost; old regimes matter less). */
  maxFitPoints: z.number().int().min(10).default(5000),
  /** Below this many grid points only the naive model is used. */
  minFitPoints: z.number().int().min(2).default(10),
  /** Gaps up to this many grid steps are interpolated before fitting. */
  maxFillSteps: z.number().int().nonnegative().default(6),
  /** Rolling origins used by 'auto' model selection. */
  validationOrigins: z.number().int().min(1).max(100).default(8),
  /**
   * Candidates considered by 'auto'. The default has the recent median (of the last horizon) where
   * it used to have naive: the same "current level" forecast without the last value's spike
   * sensitivity, which cross-validated better on NAB (evals/forecast/README.md).
   */
  candidates: z
    .array(z.enum(['holt-winters', 'robust-trend', 'naive', 'recent-median', 'seasonal-naive']))
    .nonempty()
    .default(['holt-winters', 'robust-trend', 'recent-median', 'seasonal-naive']),
});
export type ForecastOptions = z.input<typeof forecastOptionsSchema>;
type ParsedOptions = z.output<typeof forecastOptionsSchema>;

export interface ForecastResult {
  model: ModelName;
  /** Season in grid steps used by the model, or null. */
  seasonPeriod: number | null;
  /** Season detected in the data (even if the chosen model ignores it), in steps, or null. */
  detectedSeasonPeriod: number | null;
  stepMs: number;
  /** Time of the last (observed) grid point; forecasts start one step later. */
  originMs: number;
  /** Last observed value. */
  lastValue: number;
  level: number;
  /** Forecast times (Unix ms) and values for steps 1..horizon. */
  times: Float64Array;
  mean: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
  params: Readonly<Record<string, number>>;
  /** Validation MAE per candidate when the model was chosen automatically. */
  validationMae?: Partial<Record<ModelName, number>>;
  notes: string[];
}

/**
 * Forecasts `series` (`[unixMs, value]` pairs or parallel arrays). Throws a RangeError when the
 * series has no finite value at all; every other data problem is handled by a documented fallback.
 */
export function forecast(series: SeriesInput, options: ForecastOptions = {}): ForecastResult {
  return forecastWith(series, options, DEFAULT_AUTO);
}

/** The strategy behind model 'auto' (chosen by the cross-validated backtest, see evals/forecast/README.md). */
export const DEFAULT_AUTO: AutoStrategy = autoStrategies.select;

/** {@link forecast} with an explicit strategy for 'auto'. */
export function forecastWith(series: SeriesInput, options: ForecastOptions, strategy: AutoStrategy): ForecastResult {
  return fitForecastWith(series, options, strategy).result;
}

/** A forecast with the model behind it, for callers that need more than one interval level. */
export interface FittedForecast {
  result: ForecastResult;
  /** The model the result came from; predict(result.mean.length, level) gives any other band. */
  fitted: FittedModel;
}

/** {@link forecast}, also returning the fitted model (see {@link FittedForecast}). */
export function forecastFitted(series: SeriesInput, options: ForecastOptions = {}): FittedForecast {
  return fitForecastWith(series, options, DEFAULT_AUTO);
}

function fitForecastWith(series: SeriesInput, options: ForecastOptions, strategy: AutoStrategy): FittedForecast {
  const opts = forecastOptionsSchema.parse(options);
  const grid = regularize(series, { maxFillSteps: opts.maxFillSteps });
  if (!grid) throw new RangeError('cannot forecast a series without any finite value');
  const notes: string[] = [];
  let values = grid.values;
  let startMs = grid.startMs;
  if (values.length > opts.maxFitPoints) {
    startMs += (values.length - opts.maxFitPoints) * grid.stepMs;
    values = values.slice(values.length - opts.maxFitPoints);
    notes.push(`fitted on the last ${opts.maxFitPoints} points`);
  }
  if (grid.filledPoints > 0) notes.push(`${grid.filledPoints} points interpolated over short gaps`);
  if (grid.missingPoints > 0) notes.push(`${grid.missingPoints} points missing in long gaps`);
  const stepMs = grid.stepMs;
  const horizon = opts.horizonSteps ?? (opts.horizonMs !== undefined && stepMs > 0 ? Math.max(1, Math.ceil(opts.horizonMs / stepMs)) : 12);
  const originMs = startMs + (values.length - 1) * (stepMs > 0 ? stepMs : 0);

  const season =
    opts.seasonMs > 0
      ? detectSeason(values, stepMs, { seasonMs: opts.seasonMs })
      : { period: null, autocorrelation: Number.NaN, reason: 'seasonality disabled' };
  const period = season.period;
  if (period === null && season.reason) notes.push(`no season: ${season.reason}`);

  let model: FittedModel;
  let validationMae: ForecastResult['validationMae'];
  if (values.length < opts.minFitPoints) {
    notes.push(`only ${values.length} points: naive forecast`);
    model = fitNaive(values);
  } else if (isConstant(values)) {
    notes.push('constant series: naive forecast');
    model = fitNaive(values);
  } else if (opts.model === 'auto' && strategy.kind === 'combine') {
    model = combineMembers(strategy, values, period, horizon) ?? fitNaive(values);
  } else if (opts.model === 'auto') {
    const choice = chooseModel(values, period, horizon, stepMs, opts, strategy.kind === 'select' ? strategy : { kind: 'select' });
    model = choice.model;
    validationMae = choice.mae;
  } else {
    model = fitByName(opts.model, values, period) ?? fitNaive(values);
    if (model.name !== opts.model) notes.push(`${opts.model} could not be fitted: naive forecast`);
  }

  const { mean, lower, upper } = model.predict(horizon, opts.level);
  const times = new Float64Array(horizon);
  for (let h = 1; h <= horizon; h++) times[h - 1] = stepMs > 0 ? originMs + h * stepMs : Number.NaN;
  const result: ForecastResult = {
    model: model.name,
    seasonPeriod: model.seasonPeriod,
    detectedSeasonPeriod: period,
    stepMs,
    originMs,
    lastValue: values[values.length - 1]!,
    level: opts.level,
    times,
    mean,
    lower,
    upper,
    params: model.params,
    ...(validationMae ? { validationMae } : {}),
    notes,
  };
  return { result, fitted: model };
}

/** Fits one named model; null when it cannot be fitted (seasonal-naive without a season falls back to naive). */
export function fitByName(name: Exclude<ForecastModelChoice, 'auto'>, values: Float64Array, period: number | null): FittedModel | null {
  switch (name) {
    case 'holt-winters':
      return fitHoltWinters(values, { period });
    case 'robust-trend':
      return fitRobustTrend(values, { period });
    case 'naive':
      return fitNaive(values);
    case 'seasonal-naive':
      return period ? fitSeasonalNaive(values, period) : fitNaive(values);
  }
}

/** Fits any model a strategy may use; `horizon` is the recent median's window. */
function fitMember(name: MemberName, values: Float64Array, period: number | null, horizon: number): FittedModel | null {
  if (name === 'theta') return fitTheta(values, { period });
  if (name === 'recent-median') return fitRecentMedian(values, horizon);
  return fitByName(name, values, period);
}

/** Fits every member that applies (seasonal-naive only with a season) and combines them. */
function combineMembers(
  strategy: Extract<AutoStrategy, { kind: 'combine' }>,
  values: Float64Array,
  period: number | null,
  horizon: number,
): FittedModel | null {
  const fitted: FittedModel[] = [];
  for (const name of strategy.members) {
    if (name === 'seasonal-naive' && !period) continue;
    const model = fitMember(name, values, period, horizon);
    if (model) fitted.push(model);
  }
  return fitted.length > 0 ? combineModels(fitted, strategy.rule) : null;
}

/**
 * In-sample rolling validation: each candidate forecasts `horizon` steps from several origins in the
 * last part of the series (spread over at least a season so every time of day is represented) and
 * the lowest mean absolute error wins. Holt-Winters keeps the parameters fitted on the whole series
 * (re-optimising per origin would multiply the cost for little change); the other models are refitted
 * on each prefix.
 */
function chooseModel(
  values: Float64Array,
  period: number | null,
  requestedHorizon: number,
  stepMs: number,
  opts: ParsedOptions,
  strategy: Extract<AutoStrategy, { kind: 'select' }>,
): { model: FittedModel; mae: Partial<Record<ModelName, number>> } {
  const n = values.length;
  // A horizon longer than the data cannot be validated in sample; validate at a quarter of the data.
  const horizon = Math.min(requestedHorizon, Math.max(1, Math.floor(n / 4)));
  const fitted = new Map<MemberName, FittedModel>();
  for (const name of strategy.members ?? [...opts.candidates, ...(strategy.extra ?? [])]) {
    if ((name === 'seasonal-naive' && !period) || fitted.has(name)) continue;
    const model = fitMember(name, values, period, horizon);
    if (model) fitted.set(name, model);
  }
  const count = strategy.origins ?? opts.validationOrigins;
  const minSpan = strategy.minSpanMs && stepMs > 0 ? Math.round(strategy.minSpanMs / stepMs) : 0;
  const span = Math.min(Math.floor(n / 3), Math.max(horizon * count, period ?? 0, minSpan));
  const origins: number[] = [];
  for (let k = 0; k < count; k++) {
    const origin = n - 1 - horizon - Math.round((k * Math.max(0, span - horizon)) / Math.max(1, count - 1));
    if (origin >= opts.minFitPoints - 1 && !origins.includes(origin)) origins.push(origin);
  }
  // Every candidate's forecast at every origin; the combination's are derived from them at no cost.
  const predictions = origins.map(() => new Map<MemberName, Float64Array>());
  for (const [name, full] of fitted) {
    origins.forEach((origin, k) => {
      const prefix = values.subarray(0, origin + 1);
      const model =
        name === 'holt-winters'
          ? fitHoltWinters(prefix, { period, params: holtWintersParams(full) })
          : fitMember(name, prefix, period, horizon);
      if (model) predictions[k]!.set(name, model.predict(horizon, 0.5).mean);
    });
  }
  const validate = (forecastAt: (k: number) => Float64Array | undefined): number => {
    let sum = 0;
    let count = 0;
    origins.forEach((origin, k) => {
      const predicted = forecastAt(k);
      if (!predicted) return;
      for (let h = 1; h <= horizon; h++) {
        const actual = values[origin + h]!;
        if (!Number.isFinite(actual)) continue;
        sum += Math.abs(actual - predicted[h - 1]!);
        count++;
      }
    });
    return count > 0 ? sum / count : Infinity;
  };
  const mae: Partial<Record<ModelName, number>> = {};
  let best: FittedModel | undefined;
  let bestMae = Infinity;
  for (const [name, full] of fitted) {
    const score = validate((k) => predictions[k]!.get(name));
    mae[name] = score;
    if (score < bestMae) {
      bestMae = score;
      best = full;
    }
  }
  if (strategy.top && strategy.top > 1 && fitted.size > 1) {
    const ranked = [...fitted.entries()].sort((a, b) => (mae[a[0]] ?? Infinity) - (mae[b[0]] ?? Infinity));
    best = combineModels(
      ranked.slice(0, strategy.top).map(([, m]) => m),
      'mean',
    );
  }
  const combineRule = strategy.combine;
  if (combineRule && fitted.size > 1) {
    const score = validate((k) => combineForecasts([...predictions[k]!.values()], combineRule));
    mae.combination = score;
    if (score < bestMae) best = combineModels([...fitted.values()], combineRule);
  }
  return { model: best ?? fitNaive(values), mae };
}

function holtWintersParams(model: FittedModel): { alpha: number; beta: number; gamma: number; phi: number } {
  const p = model.params;
  return { alpha: p['alpha'] ?? 0.5, beta: p['beta'] ?? 0, gamma: p['gamma'] ?? 0, phi: p['phi'] ?? 0.98 };
}

function isConstant(values: Float64Array): boolean {
  let first = Number.NaN;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return false;
  }
  return true;
}
