import { describe, expect, it } from 'vitest';
import { combineForecasts, combineModels } from '../../../../src/analytics/forecast/combination.js';
import { forecastWith } from '../../../../src/analytics/forecast/forecast.js';
import type { FittedModel } from '../../../../src/analytics/forecast/model.js';
import { fitNaive } from '../../../../src/analytics/forecast/naive.js';
import { fitTheta } from '../../../../src/analytics/forecast/theta.js';
import { gaussian, MIN, T0 } from './helpers.js';

/** A model with a fixed forecast path and residuals, so the combination's answer is known. */
function fixed(path: number[], residuals: number[], width: (h: number) => number): FittedModel {
  return {
    name: 'naive',
    seasonPeriod: null,
    params: {},
    residuals: Float64Array.from(residuals),
    predict(horizon) {
      const mean = Float64Array.from(path.slice(0, horizon));
      return { mean, lower: mean.map((m, i) => m - width(i + 1)), upper: mean.map((m, i) => m + width(i + 1)) };
    },
  };
}

describe('forecast combination', () => {
  it('takes the step-wise median, mean or trimmed mean of known paths', () => {
    const paths = [Float64Array.of(1, 10), Float64Array.of(2, 20), Float64Array.of(9, 30), Float64Array.of(4, 1000)];
    expect([...combineForecasts(paths, 'median')]).toEqual([3, 25]);
    expect([...combineForecasts(paths, 'mean')]).toEqual([4, 265]);
    // Trimmed: drop the lowest and highest, average the middle two.
    expect([...combineForecasts(paths, 'trimmed')]).toEqual([3, 25]);
    expect([...combineForecasts(paths.slice(0, 3), 'trimmed')]).toEqual([2, 20]);
  });

  it("combines fitted models: median path, residuals = median of the components' residuals, band widening with the horizon", () => {
    const residuals = (k: number): number[] => Array.from({ length: 100 }, (_, t) => ((t % 7) - 3) * k);
    const a = fixed([10, 10, 10], residuals(1), (h) => Math.sqrt(h));
    const b = fixed([20, 22, 24], residuals(2), () => 1);
    const c = fixed([30, 30, 30], residuals(3), (h) => h);
    const combined = combineModels([a, b, c], 'median');
    expect(combined.name).toBe('combination');
    expect([...combined.residuals.slice(0, 7)]).toEqual(residuals(2).slice(0, 7));
    const f = combined.predict(3, 0.9);
    expect([...f.mean]).toEqual([20, 22, 24]);
    const width = [...f.upper].map((u, i) => u - f.lower[i]!);
    expect(width[1]!).toBeGreaterThan(width[0]!);
    expect(width[2]!).toBeGreaterThan(width[1]!);
    for (let i = 0; i < 3; i++) expect(f.lower[i]!).toBeLessThan(f.mean[i]!);
  });

  it('returns a single model unchanged', () => {
    const only = fitNaive(Float64Array.of(1, 2, 3));
    expect(combineModels([only])).toBe(only);
  });

  it("'auto' with the median combination follows a level shift within a few steps", () => {
    const g = gaussian(7);
    const n = 600;
    const times = Array.from({ length: n }, (_, i) => T0 + i * 5 * MIN);
    const values = Array.from({ length: n }, (_, i) => (i < 500 ? 100 : 160) + g());
    const fc = forecastWith(
      { times, values },
      { horizonSteps: 6 },
      { kind: 'combine', rule: 'median', members: ['holt-winters', 'robust-trend', 'naive', 'theta'] },
    );
    expect(fc.model).toBe('combination');
    // Robust trend alone would stay near the old level; the median follows the majority that adapts.
    for (const m of fc.mean) expect(Math.abs(m - 160)).toBeLessThan(3);
  });
});

describe("'auto' selection with the combination as a candidate", () => {
  it('validates the median of the candidates on the same origins and uses it when it errs least', () => {
    // Mean-reverting noise around a level that drifts: no single candidate is right, the median hedges.
    const g = gaussian(11);
    const n = 800;
    const times = Array.from({ length: n }, (_, i) => T0 + i * 5 * MIN);
    const values = Array.from({ length: n }, (_, i) => 100 + 0.02 * i + 3 * g());
    const fc = forecastWith({ times, values }, { horizonSteps: 12 }, { kind: 'select', combine: 'median' });
    const mae = fc.validationMae!;
    expect(Object.keys(mae).sort()).toEqual(['combination', 'holt-winters', 'recent-median', 'robust-trend']);
    const best = Object.entries(mae).sort((a, b) => a[1] - b[1])[0]![0];
    expect(fc.model).toBe(best);
  });
});

describe('theta', () => {
  it('continues a noisy ramp with half the least-squares slope plus the smoothing catch-up', () => {
    const g = gaussian(3);
    const values = Float64Array.from({ length: 400 }, (_, i) => 50 + 0.5 * i + g());
    const theta = fitTheta(values)!;
    expect(theta.params['drift']).toBeCloseTo(0.25, 2);
    const f = theta.predict(10, 0.9);
    // Truth at step h is 50 + 0.5·(399 + h); Theta's damped-to-half drift lags it by ≈ 0.25·h.
    for (let h = 1; h <= 10; h++) expect(Math.abs(f.mean[h - 1]! - (50 + 0.5 * (399 + h)))).toBeLessThan(0.25 * h + 3);
    expect(f.upper[9]! - f.lower[9]!).toBeGreaterThan(f.upper[0]! - f.lower[0]!);
  });

  it('adds back a daily profile', () => {
    const period = 24;
    const values = Float64Array.from({ length: 24 * 10 }, (_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / period));
    const f = fitTheta(values, { period })!.predict(24, 0.9);
    for (let h = 1; h <= 24; h++) expect(f.mean[h - 1]!).toBeCloseTo(100 + 20 * Math.sin((2 * Math.PI * (240 - 1 + h)) / period), 0);
  });

  it('returns null with fewer than three finite points', () => {
    expect(fitTheta(Float64Array.of(1, Number.NaN, 2))).toBeNull();
  });
});
