/**
 * Additive Holt-Winters with a damped trend (ETS(A,Ad,A); ETS(A,Ad,N) without a season), fitted by
 * minimising the in-sample one-step absolute error (default) or squared error with Nelder-Mead.
 *
 * Why absolute error by default: metrics carry spikes (a batch job, a viral tweet); under squared
 * error a handful of them dominate the fit and push α to 1, i.e. towards a noisy naive forecast.
 * On the NAB dev backtest this lowered the median 1-hour MASE of Holt-Winters from 0.85 to 0.81.
 *
 * Why damped: an undamped local trend fitted on noisy 5-minute metrics extrapolates the last wiggle
 * for ever; damping (φ ≤ 0.98) keeps short-horizon accuracy and stops long forecasts exploding.
 * Missing grid values (NaN) are handled as in a state-space filter: the state is propagated without
 * an update, so long gaps need no invented data.
 */
import { bandForecast, type FittedModel, residualBand } from './model.js';
import { nelderMead } from './nelder-mead.js';
import { mean } from './stats.js';

export interface HoltWintersParams {
  /** Level smoothing, (0, 1). */
  alpha: number;
  /** Trend smoothing as a share of alpha's update (Holt's β*), [0, 1]. */
  beta: number;
  /** Seasonal smoothing (ETS γ), [0, 1 − alpha]; ignored without a season. */
  gamma: number;
  /** Trend damping, [0.8, 0.98] when fitted; 1 means undamped. */
  phi: number;
}

export interface HoltWintersOptions {
  /** Season length in steps; null or < 2 for a non-seasonal (damped Holt) fit. */
  period?: number | null;
  /** Use these parameters instead of fitting them (used for rolling validation). */
  params?: HoltWintersParams;
  /** Fitting loss on one-step errors (default 'absolute', robust to spikes). */
  loss?: 'absolute' | 'squared';
  /** Objective evaluations per Nelder-Mead start (default 150). */
  maxEvaluations?: number;
}

interface State {
  level: number;
  trend: number;
  /** season[t mod period] holds the latest seasonal estimate for that phase. */
  season: Float64Array;
}

/**
 * Fits Holt-Winters to a regular series (NaN = missing). Requires at least two full seasons for a
 * seasonal fit; callers fall back to `period: null` otherwise (see `forecast`).
 */
export function fitHoltWinters(values: Float64Array, options: HoltWintersOptions = {}): FittedModel {
  const period = options.period != null && options.period >= 2 && values.length >= 2 * options.period ? options.period : null;
  const init = initialState(values, period);
  const burnIn = period ?? Math.min(10, Math.floor(values.length / 4));
  const squared = options.loss === 'squared';
  const params = options.params ?? optimise(values, period, init, burnIn, squared, options.maxEvaluations ?? 150);
  const residuals = new Float64Array(values.length);
  const state = runFilter(values, period, init, params, burnIn, squared, residuals).state;
  const n = values.length;
  const m = period ?? 1;
  return {
    name: 'holt-winters',
    seasonPeriod: period,
    params: { ...params, period: period ?? 0 },
    residuals,
    predict(horizon, level) {
      const out = new Float64Array(horizon);
      let damp = 0;
      for (let h = 1; h <= horizon; h++) {
        damp += params.phi ** h;
        const seasonal = period ? state.season[(n - 1 + h) % m]! : 0;
        out[h - 1] = state.level + damp * state.trend + seasonal;
      }
      const variance = varianceMultipliers(params, period, horizon);
      return bandForecast(out, residualBand(residuals, level), (h) => Math.sqrt(variance[h - 1]!));
    },
  };
}

/**
 * ETS(A,Ad,A) forecast-variance multipliers v_h = 1 + Σ_{j<h} c_j², c_j = α(1 + β*·Σ_{i≤j} φ^i) + γ·[j mod m = 0]
 * (Hyndman et al., "Forecasting with Exponential Smoothing", 2008, table 6.1), relative to the
 * one-step error variance.
 */
export function varianceMultipliers(params: HoltWintersParams, period: number | null, horizon: number): Float64Array {
  const v = new Float64Array(horizon);
  let acc = 1;
  let damp = 0;
  v[0] = 1;
  for (let j = 1; j < horizon; j++) {
    damp += params.phi ** j;
    const c = params.alpha * (1 + params.beta * damp) + (period && j % period === 0 ? params.gamma : 0);
    acc += c * c;
    v[j] = acc;
  }
  return v;
}

function optimise(
  values: Float64Array,
  period: number | null,
  init: State,
  burnIn: number,
  squared: boolean,
  maxEvaluations: number,
): HoltWintersParams {
  const logistic = (u: number): number => 1 / (1 + Math.exp(-u));
  const decode = (u: number[]): HoltWintersParams => {
    const alpha = 0.001 + 0.998 * logistic(u[0]!);
    return {
      alpha,
      beta: logistic(u[1]!),
      gamma: period ? (1 - alpha) * logistic(u[3] ?? 0) : 0,
      phi: 0.8 + 0.18 * logistic(u[2]!),
    };
  };
  const objective = (u: number[]): number => runFilter(values, period, init, decode(u), burnIn, squared, null).loss;
  // Two starts: a smooth fit and a reactive one; the data's noise level decides which basin wins.
  const logit = (p: number): number => Math.log(p / (1 - p));
  const starts = [
    [logit(0.2), logit(0.05), logit(0.5), logit(0.1)],
    [logit(0.7), logit(0.1), logit(0.9), logit(0.2)],
  ].map((s) => (period ? s : s.slice(0, 3)));
  let best = { x: starts[0]!, value: Infinity };
  for (const start of starts) {
    const result = nelderMead(objective, start, { maxEvaluations, step: 1.5 });
    if (result.value < best.value) best = result;
  }
  return decode(best.x);
}

/** Runs the filter; returns the summed loss after `burnIn` steps and the final state, filling `residuals` if given. */
function runFilter(
  values: Float64Array,
  period: number | null,
  init: State,
  p: HoltWintersParams,
  burnIn: number,
  squared: boolean,
  residuals: Float64Array | null,
): { loss: number; state: State } {
  let level = init.level;
  let trend = init.trend;
  const season = Float64Array.from(init.season);
  const m = period ?? 1;
  let loss = 0;
  for (let t = 0; t < values.length; t++) {
    const phase = t % m;
    const s = period ? season[phase]! : 0;
    const predictedLevel = level + p.phi * trend;
    const y = values[t]!;
    if (!Number.isFinite(y)) {
      // Missing value: propagate the state (equivalent to observing the forecast exactly).
      level = predictedLevel;
      trend = p.phi * trend;
      if (residuals) residuals[t] = Number.NaN;
      continue;
    }
    const error = y - (predictedLevel + s);
    if (residuals) residuals[t] = t < burnIn ? Number.NaN : error;
    if (t >= burnIn) loss += squared ? error * error : Math.abs(error);
    level = predictedLevel + p.alpha * error;
    trend = p.phi * trend + p.alpha * p.beta * error;
    if (period) season[phase] = s + p.gamma * error;
  }
  return { loss, state: { level, trend, season } };
}

/**
 * Classical start values: level and trend from the first two seasons' means, seasonal indices from
 * the average deviation of up to three seasons from their own mean. Non-seasonal: first value, no trend.
 */
function initialState(values: Float64Array, period: number | null): State {
  if (!period) {
    const first = values.find((v) => Number.isFinite(v)) ?? 0;
    return { level: first, trend: 0, season: new Float64Array(1) };
  }
  const cycles = Math.min(3, Math.floor(values.length / period));
  const cycleMeans: number[] = [];
  for (let c = 0; c < cycles; c++) cycleMeans.push(mean(values.subarray(c * period, (c + 1) * period)));
  const m0 = Number.isFinite(cycleMeans[0]!) ? cycleMeans[0]! : (values.find((v) => Number.isFinite(v)) ?? 0);
  const m1 = cycleMeans[1];
  const trend = m1 !== undefined && Number.isFinite(m1) ? (m1 - m0) / period : 0;
  const season = new Float64Array(period);
  for (let j = 0; j < period; j++) {
    let sum = 0;
    let count = 0;
    for (let c = 0; c < cycles; c++) {
      const v = values[c * period + j]!;
      const cm = cycleMeans[c]!;
      if (Number.isFinite(v) && Number.isFinite(cm)) {
        // Remove the within-cycle trend so the seasonal indices do not absorb it.
        sum += v - (cm + trend * (j - (period - 1) / 2));
        count++;
      }
    }
    season[j] = count > 0 ? sum / count : 0;
  }
  // Level just before t = 0: the first cycle's mean sits at its centre, (period − 1) / 2.
  const level = m0 - trend * ((period - 1) / 2 + 1);
  return { level, trend, season };
}
