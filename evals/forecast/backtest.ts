/**
 * Rolling-origin backtest of the forecasters on one series: several forecast origins after a
 * training prefix, each forecasting a fixed horizon from the rows before it only, scored by MASE
 * (scale = in-sample seasonal-naive MAE of that origin's training part). Pure: no I/O.
 */
import { mase, seasonalNaiveScale } from '../../src/analytics/forecast/mase.js';
import type { ModelName } from '../../src/analytics/forecast/model.js';
import { inferStepMs, regularize } from '../../src/analytics/forecast/regularize.js';
import { detectSeason } from '../../src/analytics/forecast/seasonality.js';
import { runVariant, type Variant } from './variants.js';

export interface BacktestOptions {
  /** Forecast horizon (default 1 hour); in steps: horizonMs / step, at least 1. */
  horizonMs?: number;
  /** Number of forecast origins (default 20), evenly spaced after the training prefix. */
  origins?: number;
  /** Share of rows before the first origin (default 0.5). */
  trainFraction?: number;
  /** Model configurations to score; the first is the production configuration. */
  models?: Variant[];
  /** Prediction-interval level whose coverage is reported (default 0.9). */
  level?: number;
}

export interface ModelScore {
  /** Mean over origins of the per-origin MASE (origins with an undefined MASE are skipped). */
  mase: number;
  /** Share of actuals inside the prediction interval. */
  coverage: number;
  /** Model actually used per origin (differs from the configuration for 'auto' and fallbacks). */
  used: Partial<Record<ModelName, number>>;
  /** Wall time spent forecasting with this configuration (all origins), ms. */
  ms: number;
}

export interface SeriesBacktest {
  rows: number;
  stepMs: number;
  horizonSteps: number;
  /** Season (steps) detected on the first origin's training data, or null. */
  seasonPeriod: number | null;
  /** Origins scored (with a defined MASE). */
  origins: number;
  /** Per model configuration. */
  scores: Partial<Record<Variant, ModelScore>>;
  notes: string[];
}

export const defaultBacktestModels: Variant[] = ['auto', 'holt-winters', 'robust-trend', 'naive', 'seasonal-naive'];

/** Backtests one series given as parallel arrays in row order (times in Unix ms). */
export function backtestSeries(times: Float64Array, values: Float64Array, options: BacktestOptions = {}): SeriesBacktest {
  const horizonMs = options.horizonMs ?? 3_600_000;
  const originCount = options.origins ?? 20;
  const trainFraction = options.trainFraction ?? 0.5;
  const models = options.models ?? defaultBacktestModels;
  const level = options.level ?? 0.9;
  const stepMs = inferStepMs(times);
  const horizonSteps = stepMs >= horizonMs ? 1 : Math.max(1, Math.round(horizonMs / stepMs));
  const notes: string[] = [];
  const rows = times.length;
  const lastTime = times[rows - 1]!;
  const firstOrigin = Math.floor(rows * trainFraction);
  let lastOrigin = rows - 2;
  while (lastOrigin > firstOrigin && times[lastOrigin]! + horizonSteps * stepMs > lastTime) lastOrigin--;
  const originRows: number[] = [];
  for (let k = 0; k < originCount; k++) {
    const row = firstOrigin + Math.round((k * (lastOrigin - firstOrigin)) / Math.max(1, originCount - 1));
    if (!originRows.includes(row)) originRows.push(row);
  }

  const sums = new Map<
    Variant,
    { mase: number; n: number; inside: number; targets: number; used: Partial<Record<ModelName, number>>; ms: number }
  >();
  for (const m of models) sums.set(m, { mase: 0, n: 0, inside: 0, targets: 0, used: {}, ms: 0 });
  let seasonPeriod: number | null | undefined;
  let scored = 0;
  for (const row of originRows) {
    const train = { times: times.subarray(0, row + 1), values: values.subarray(0, row + 1) };
    const grid = regularize(train);
    if (!grid || grid.values.length < 2) continue;
    const period = detectSeason(grid.values, grid.stepMs).period;
    if (seasonPeriod === undefined) seasonPeriod = period;
    const scale = seasonalNaiveScale(grid.values, period ?? 1);
    const originMs = times[row]!;
    // Actuals: rows after the origin within the horizon, matched to the forecast step by time.
    const targets: { h: number; value: number }[] = [];
    for (let i = row + 1; i < rows && times[i]! <= originMs + (horizonSteps + 0.5) * stepMs; i++) {
      const h = Math.round((times[i]! - originMs) / stepMs);
      if (h >= 1 && h <= horizonSteps && Number.isFinite(values[i]!)) targets.push({ h, value: values[i]! });
    }
    if (targets.length === 0 || !(scale > 0)) {
      notes.push(`origin row ${row}: ${targets.length === 0 ? 'no actuals in the horizon' : 'zero MASE scale'}, skipped`);
      continue;
    }
    scored++;
    for (const m of models) {
      const t0 = performance.now();
      const fc = runVariant(m, train, horizonSteps, level);
      const s = sums.get(m)!;
      s.ms += performance.now() - t0;
      const actual = targets.map((t) => t.value);
      const predicted = targets.map((t) => fc.mean[t.h - 1]!);
      s.mase += mase(actual, predicted, scale);
      s.n++;
      targets.forEach((t) => {
        s.targets++;
        if (t.value >= fc.lower[t.h - 1]! && t.value <= fc.upper[t.h - 1]!) s.inside++;
      });
      s.used[fc.model] = (s.used[fc.model] ?? 0) + 1;
    }
  }
  const scores: SeriesBacktest['scores'] = {};
  for (const [m, s] of sums) {
    scores[m] = {
      mase: s.n > 0 ? s.mase / s.n : Number.NaN,
      coverage: s.targets > 0 ? s.inside / s.targets : Number.NaN,
      used: s.used,
      ms: s.ms,
    };
  }
  return { rows, stepMs, horizonSteps, seasonPeriod: seasonPeriod ?? null, origins: scored, scores, notes };
}
