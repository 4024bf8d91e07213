/**
 * One window function for every analysis (src/analysis/window.ts). Each caller used to compute its
 * window with its own copy of the formula; the copies are kept here verbatim, and each caller must
 * get exactly what its copy gave, over spans, ends (fractions of a second included) and steps.
 */
import { describe, expect, it } from 'vitest';
import { windowFor } from '../../../src/analysis/plan.js';
import { analysisWindow, DEFAULT_MAX_POINTS } from '../../../src/analysis/window.js';
import { windowFrom } from '../../../tools/window.js';

/** tools/window.ts before: the analysis tools (window_minutes, optional step_seconds, now in ms). */
function toolsBefore(input: { window_minutes: number; step_seconds?: number | undefined }, nowMs: number) {
  const span = input.window_minutes * 60;
  const step = input.step_seconds ?? Math.max(60, Math.ceil(span / 360 / 60) * 60);
  const end = Math.floor(nowMs / 1000 / step) * step;
  return { start: end - span, end, step };
}

/** agents/nodes/plan-queries.ts before: the analysis graph's plan (minutes, end in Unix seconds, maxPoints). */
function planBefore(request: { timeRangeMinutes: number; endTime: number }, maxPoints: number) {
  const seconds = request.timeRangeMinutes * 60;
  const step = Math.max(60, Math.ceil(seconds / maxPoints / 60) * 60);
  const end = Math.floor(request.endTime / step) * step;
  return { start: end - seconds, end, step };
}

/** src/analysis/workspace-findings.ts before: the alerts and recommendations endpoints (hours, now in ms). */
function workspaceFindingsBefore(window: { hours: number; nowMs: number }) {
  const span = window.hours * 3600;
  const step = Math.max(60, Math.ceil(span / 360 / 60) * 60);
  const end = Math.floor(window.nowMs / 1000 / step) * step;
  return { start: end - span, end, step };
}

const NOWS_MS = [0, 1, 59_999, 60_000, 1_700_000_000_000, 1_700_000_123_456, 1_700_000_059_999.5, 1_767_225_599_999];
const MINUTES = [15, 16, 59, 60, 61, 359, 360, 361, 719, 720, 721, 1439, 1440, 2160, 4321, 10_080];
const STEPS = [undefined, 15, 30, 59, 60, 61, 300, 3600];

describe('the analysis window', () => {
  it('gives the analysis tools what tools/window.ts gave', () => {
    for (const nowMs of NOWS_MS)
      for (const window_minutes of MINUTES)
        for (const step_seconds of STEPS) {
          const input = { window_minutes, step_seconds };
          expect(windowFrom(input, nowMs), JSON.stringify({ input, nowMs })).toEqual(toolsBefore(input, nowMs));
        }
  });

  it("gives the analysis graph's plan (and diagnose_workspace) what plan-queries.ts gave, for any maxPoints", () => {
    for (const nowMs of NOWS_MS)
      for (const timeRangeMinutes of MINUTES)
        for (const maxPoints of [1, 7, 100, 359, DEFAULT_MAX_POINTS, 361, 1000, 1500]) {
          const request = { analysisType: 'anomaly' as const, timeRangeMinutes, targets: [], endTime: Math.floor(nowMs / 1000) };
          expect(windowFor(request, maxPoints), JSON.stringify({ request, maxPoints })).toEqual(planBefore(request, maxPoints));
          // A fractional end (the plan is given whole seconds, but nothing in the formula relied on it).
          const fractional = { ...request, endTime: nowMs / 1000 };
          expect(windowFor(fractional, maxPoints)).toEqual(planBefore(fractional, maxPoints));
        }
  });

  it('gives the alerts and recommendations endpoints what workspace-findings.ts computed', () => {
    for (const nowMs of NOWS_MS)
      for (const hours of [0.25, 0.5, 1, 1.5, 6, 12, 24, 48, 72, 168]) {
        const mine = analysisWindow({ spanSeconds: hours * 3600, endSeconds: nowMs / 1000 });
        expect(mine, JSON.stringify({ hours, nowMs })).toEqual(workspaceFindingsBefore({ hours, nowMs }));
      }
  });

  it('is aligned to its step, spans what was asked, and keeps at most maxPoints points with a step of whole minutes', () => {
    const w = analysisWindow({ spanSeconds: 24 * 3600, endSeconds: 1_700_000_123.4 });
    expect(w).toEqual({ start: 1_699_913_520, end: 1_699_999_920, step: 240 });
    expect(w.end % w.step).toBe(0);
    expect((w.end - w.start) / w.step).toBeLessThanOrEqual(DEFAULT_MAX_POINTS);
    expect(analysisWindow({ spanSeconds: 3600, endSeconds: 1_700_000_000, stepSeconds: 15 }).step).toBe(15);
  });
});
