/** Pieces of the tools' output schemas that several tools share. */
import { z } from 'zod';

/**
 * A metric sample: any number, NaN and ±Infinity included (Prometheus answers "NaN", "+Inf"; zod's
 * number() refuses them). Only the handler's own answer is checked: a cached answer went through
 * JSON, where they became null, and is not checked again.
 */
export const SampleSchema = z.custom<number>((v) => typeof v === 'number', 'must be a number');

/**
 * Whole arrays of points, each checked in one plain loop: zod's per-element array parse (a new array,
 * a parse per element) cost about a tenth of a 200-pod analysis's own time on fetch_series' answers.
 */
export const SamplesSchema = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((n) => typeof n === 'number'),
  'must be an array of numbers',
);
export const TimesSchema = z.custom<number[]>(
  (v) => Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n)),
  'must be an array of finite numbers',
);

export const LabelsSchema = z.record(z.string(), z.string());

/** The window as a model reads it (run-analyses.ts `shownWindow`). */
export const ShownWindowSchema = z.strictObject({ start: z.string(), end: z.string(), step_seconds: z.number() });

/** Present only when some queries failed (run-analyses.ts `failedQueries`). */
export const FailedQueriesSchema = z.array(z.strictObject({ query: z.string(), message: z.string() })).optional();
