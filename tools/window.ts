/** The analysis window shared by the analysis tools: the last N minutes, about 360 points (src/analysis/window.ts). */
import { z } from 'zod';
import { analysisWindow } from '../src/analysis/window.js';
import type { RangeWindow } from '../src/metrics/query-window.js';

export const WindowInputShape = {
  window_minutes: z
    .number()
    .int()
    .min(15)
    .max(10_080)
    .default(360)
    .describe('How far back to look, in minutes (default 360 = 6 h, at most 7 days)'),
  step_seconds: z
    .number()
    .int()
    .min(15)
    .max(3600)
    .optional()
    .describe('Sample spacing in seconds (default: about 360 points over the window, at least 60 s)'),
};

export function windowFrom(input: { window_minutes: number; step_seconds?: number | undefined }, nowMs: number): RangeWindow {
  return analysisWindow({ spanSeconds: input.window_minutes * 60, endSeconds: nowMs / 1000, stepSeconds: input.step_seconds });
}
