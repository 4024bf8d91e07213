/**
 * Capacity planning: when will a growing usage series (memory vs its limit, PVC bytes vs capacity,
 * object count vs quota) reach a limit? A limit is reached by the first sample that gets there (an OOM kill
 * does not wait for the average), and a noisy series gets there long before its forecast or its upper band
 * does, so every answer is about that first crossing (first-passage.ts): the point ETA is when a crossing
 * becomes more likely than not (status will_exhaust when that is within the horizon), the range where its
 * chance passes (1 − level)/2 and 1 − (1 − level)/2 (`npm run eval:exhaustion`).
 *
 * Default model: the robust trend (+ daily profile when the data has one). Capacity horizons are
 * days to weeks, where a steady growth rate extrapolated from the whole window is far more reliable
 * than a local Holt-Winters slope, and Theil-Sen ignores spikes. With a season, the profile's peaks
 * make the forecast cross the limit at the first peak that reaches it, not when the average does.
 */
import { z } from 'zod';
import { firstPassage } from './first-passage.js';
import { forecastFitted, type ForecastResult } from './forecast.js';
import type { ModelName } from './model.js';
import { toTimedValues, type SeriesInput } from './series-input.js';
import { DAY_MS } from './seasonality.js';

export const exhaustionOptionsSchema = z.object({
  /** How far ahead to look (default 7 days). */
  horizonMs: z
    .number()
    .positive()
    .default(7 * DAY_MS),
  /** Probability of the ETA range (of the first crossing), and of the forecast's prediction interval. */
  level: z.number().gt(0).lt(1).default(0.9),
  /** Forecast model; 'auto' chooses by short-horizon validation, which suits capacity less well. */
  model: z.enum(['robust-trend', 'holt-winters', 'naive', 'auto']).default('robust-trend'),
  /** Fewer finite samples than this → insufficient_data. */
  minPoints: z.number().int().min(2).default(12),
  /** Shorter observed history than this → insufficient_data (default 1 hour). */
  minHistoryMs: z.number().nonnegative().default(3_600_000),
  /** Cap on forecast steps, so a tiny step and a long horizon cannot blow up memory. */
  maxSteps: z.number().int().positive().default(200_000),
  /** Most recent grid points fitted (see forecast's maxFitPoints). */
  maxFitPoints: z.number().int().min(10).default(20_000),
});
export type ExhaustionOptions = z.input<typeof exhaustionOptionsSchema>;

export type ExhaustionStatus = 'exhausted' | 'will_exhaust' | 'not_within_horizon' | 'insufficient_data';

export interface ExhaustionResult {
  status: ExhaustionStatus;
  /**
   * Milliseconds from the last observation until a first crossing of the limit is more likely than not (the
   * point forecast's own crossing when that comes first, interpolated within its step); 0 when exhausted.
   */
  etaMs: number | null;
  /** Earliest plausible ETA: the chance of a first crossing reaches (1 − level)/2, never after the point ETA (null: not within the horizon). */
  etaLowMs: number | null;
  /** Latest plausible ETA: the chance of a first crossing reaches 1 − (1 − level)/2, never before the point ETA (null: not within the horizon). */
  etaHighMs: number | null;
  /**
   * Chance that the series reaches the limit within the horizon (1 when exhausted, null without an answer); at
   * least 0.5 when will_exhaust (the ETA can come from the point forecast's own crossing).
   */
  probability: number | null;
  /** Absolute Unix ms of the point ETA (null when none within the horizon). */
  exhaustsAtMs: number | null;
  /** Time of the last observation the forecast starts from. */
  originMs: number | null;
  limit: number;
  lastValue: number | null;
  /** Last value as a share of the limit. */
  utilisation: number | null;
  model: ModelName | null;
  seasonPeriodSteps: number | null;
  stepMs: number | null;
  horizonMs: number;
  level: number;
  /** Growth per hour of the fitted trend, when the model has one. */
  trendPerHour: number | null;
  notes: string[];
}

/**
 * Estimates when `series` reaches `limit`. Never throws on bad data: too few points, too short a
 * history or a non-finite limit give `insufficient_data`.
 */
export function timeToExhaustion(series: SeriesInput, limit: number, options: ExhaustionOptions = {}): ExhaustionResult {
  const opts = exhaustionOptionsSchema.parse(options);
  const base: ExhaustionResult = {
    status: 'insufficient_data',
    etaMs: null,
    etaLowMs: null,
    etaHighMs: null,
    probability: null,
    exhaustsAtMs: null,
    originMs: null,
    limit,
    lastValue: null,
    utilisation: null,
    model: null,
    seasonPeriodSteps: null,
    stepMs: null,
    horizonMs: opts.horizonMs,
    level: opts.level,
    trendPerHour: null,
    notes: [],
  };
  if (!Number.isFinite(limit)) return { ...base, notes: ['limit is not a finite number'] };
  const { times, values } = toTimedValues(series);
  let points = 0;
  let firstMs = Number.NaN;
  let lastMs = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) continue;
    points++;
    if (Number.isNaN(firstMs)) firstMs = times[i]!;
    lastMs = times[i]!;
  }
  if (points < opts.minPoints) return { ...base, notes: [`${points} finite samples, need ${opts.minPoints}`] };
  if (lastMs - firstMs < opts.minHistoryMs) {
    return {
      ...base,
      notes: [`history of ${Math.round((lastMs - firstMs) / 60_000)} min, need ${Math.round(opts.minHistoryMs / 60_000)} min`],
    };
  }

  const { result: fc, fitted } = forecastFitted(
    { times, values },
    {
      horizonMs: opts.horizonMs,
      model: opts.model,
      level: opts.level,
      maxFitPoints: opts.maxFitPoints,
      horizonSteps: stepsFor(opts, times),
    },
  );
  const described: ExhaustionResult = {
    ...base,
    originMs: fc.originMs,
    lastValue: fc.lastValue,
    utilisation: limit !== 0 ? fc.lastValue / limit : null,
    model: fc.model,
    seasonPeriodSteps: fc.seasonPeriod,
    stepMs: fc.stepMs,
    trendPerHour: trendPerHour(fc),
    notes: [...fc.notes],
  };
  if (fc.lastValue >= limit) {
    return { ...described, status: 'exhausted', etaMs: 0, etaLowMs: 0, etaHighMs: 0, probability: 1, exhaustsAtMs: fc.originMs };
  }
  // Everything is about the series' first crossing (first-passage.ts), not where the forecast or its band
  // crosses: the point ETA is when a crossing becomes more likely than not (where the point forecast itself
  // crosses first, its interpolated time within that step), the range where its chance passes the level's tails.
  const passage = firstPassage(fitted, fc, limit, opts.level, fc.stepMs);
  const meanCrossing = firstCrossing(fc.mean, fc.lastValue, limit, fc.stepMs);
  const eta = meanCrossing !== null && (passage.medianMs === null || meanCrossing <= passage.medianMs) ? meanCrossing : passage.medianMs;
  // The range holds the point ETA (they come from different paths, so only interpolation can order them otherwise).
  const etaLow = passage.earliestMs !== null && eta !== null ? Math.min(passage.earliestMs, eta) : passage.earliestMs;
  const etaHigh = passage.latestMs !== null && eta !== null ? Math.max(passage.latestMs, eta) : passage.latestMs;
  if (fc.mean.length * fc.stepMs < opts.horizonMs) described.notes.push(`forecast capped at ${fc.mean.length} steps`);
  return {
    ...described,
    status: eta === null ? 'not_within_horizon' : 'will_exhaust',
    etaMs: eta,
    probability: eta !== null ? Math.max(passage.probability, 0.5) : passage.probability,
    etaLowMs: etaLow,
    etaHighMs: etaHigh,
    exhaustsAtMs: eta === null ? null : fc.originMs + eta,
  };
}

function stepsFor(opts: z.output<typeof exhaustionOptionsSchema>, times: Float64Array): number | undefined {
  // forecast() converts horizonMs itself; this only enforces the cap with a rough step estimate.
  if (times.length < 2) return undefined;
  const span = times[times.length - 1]! - times[0]!;
  const roughStep = span / (times.length - 1);
  if (!(roughStep > 0)) return undefined;
  return Math.ceil(opts.horizonMs / roughStep) > opts.maxSteps ? opts.maxSteps : undefined;
}

/**
 * Milliseconds until `path` (values at steps 1..n after an origin valued `start`) first reaches
 * `limit`, linearly interpolated within the step; null when it never does.
 */
export function firstCrossing(path: Float64Array, start: number, limit: number, stepMs: number): number | null {
  let previous = start;
  for (let h = 1; h <= path.length; h++) {
    const v = path[h - 1]!;
    if (v >= limit) {
      const fraction = v === previous || previous >= limit ? 1 : (limit - previous) / (v - previous);
      return (h - 1 + Math.min(1, Math.max(0, fraction))) * stepMs;
    }
    previous = v;
  }
  return null;
}

function trendPerHour(fc: ForecastResult): number | null {
  if (!(fc.stepMs > 0)) return null;
  const slope = fc.model === 'robust-trend' ? fc.params['slope'] : fc.model === 'holt-winters' ? undefined : 0;
  return slope === undefined ? null : (slope * 3_600_000) / fc.stepMs;
}
