/** The analysis window shared by the analysis tools: the last N minutes, about 360 points. */
import { z } from 'zod';
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
  const span = input.window_minutes * 60;
  const step = input.step_seconds ?? Math.max(60, Math.ceil(span / 360 / 60) * 60);
  const end = Math.floor(nowMs / 1000 / step) * step;
  return { start: end - span, end, step };
}
