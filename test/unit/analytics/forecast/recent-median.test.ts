import { describe, expect, it } from 'vitest';
import { forecast } from '../../../../src/analytics/forecast/forecast.js';
import { fitNaive } from '../../../../src/analytics/forecast/naive.js';
import { fitRecentMedian } from '../../../../src/analytics/forecast/recent-median.js';
import { median } from '../../../../src/analytics/forecast/stats.js';
import { gaussian, MIN, makeSeries } from './helpers.js';

describe('recent median', () => {
  it('forecasts the median of the last window, so a spike at the origin does not carry through the horizon', () => {
    const g = gaussian(5);
    const values = Float64Array.from({ length: 300 }, () => 50 + g());
    values[299] = 500;
    const model = fitRecentMedian(values, 12)!;
    const f = model.predict(12, 0.9);
    const expected = median(values.subarray(288));
    for (const m of f.mean) expect(m).toBe(expected);
    expect(Math.abs(expected - 50)).toBeLessThan(2);
    // Naive repeats the spike for the whole hour.
    expect(fitNaive(values).predict(12, 0.9).mean[11]).toBe(500);
  });

  it('is the naive forecast with a window of one', () => {
    const values = Float64Array.from([3, 9, 4, 7]);
    expect(Array.from(fitRecentMedian(values, 1)!.predict(3, 0.9).mean)).toEqual([7, 7, 7]);
  });

  it("keeps residuals equal to the brute-force window median's errors ⌈w/2⌉ steps ahead, NaNs skipped", () => {
    const values = Float64Array.from({ length: 400 }, (_, i) => (i % 29 === 0 ? Number.NaN : Math.round(10 * Math.sin(i) + (i % 7))));
    for (const w of [2, 5, 12]) {
      const residuals = fitRecentMedian(values, w)!.residuals;
      const lead = Math.ceil(w / 2);
      for (let t = w + lead - 1; t < values.length; t++) {
        const end = t - lead + 1;
        const expected = values[t]! - median(values.subarray(end - w, end));
        if (Number.isFinite(expected)) expect(residuals[t]).toBeCloseTo(expected, 12);
        else expect(residuals[t]).toBeNaN();
      }
      for (let t = 0; t < w + lead - 1; t++) expect(residuals[t]).toBeNaN();
    }
  });

  it('has roughly nominal 90% intervals on noise around a level', () => {
    const g = gaussian(9);
    const values = Float64Array.from({ length: 3000 }, () => 20 + 2 * g());
    let inside = 0;
    let total = 0;
    for (let origin = 1000; origin + 12 < values.length; origin += 50) {
      const f = fitRecentMedian(values.subarray(0, origin), 12)!.predict(12, 0.9);
      for (let h = 0; h < 12; h++) {
        const y = values[origin + h]!;
        if (y >= f.lower[h]! && y <= f.upper[h]!) inside++;
        total++;
      }
    }
    expect(inside / total).toBeGreaterThan(0.85);
    expect(inside / total).toBeLessThan(0.95);
  });

  it("replaces naive among 'auto''s default candidates; naive stays available on request", () => {
    const g = gaussian(21);
    const series = makeSeries(600, 5 * MIN, () => 40 + 3 * g());
    const byDefault = forecast(series, { horizonSteps: 12 });
    expect(Object.keys(byDefault.validationMae!)).toContain('recent-median');
    expect(Object.keys(byDefault.validationMae!)).not.toContain('naive');
    const withNaive = forecast(series, { horizonSteps: 12, candidates: ['naive', 'holt-winters'] });
    expect(Object.keys(withNaive.validationMae!).sort()).toEqual(['holt-winters', 'naive']);
  });
});
