import { describe, expect, it } from 'vitest';
import { forecast } from '../../../../src/analytics/forecast/forecast.js';
import { DAY, gaussian, HOUR, makeSeries, MIN, T0 } from './helpers.js';

describe('forecast', () => {
  it('returns the constant for a constant series, with a zero-width interval', () => {
    const fc = forecast(
      makeSeries(500, 5 * MIN, () => 42),
      { horizonMs: HOUR },
    );
    expect(fc.model).toBe('naive');
    expect(fc.mean.length).toBe(12);
    expect(Array.from(fc.mean).every((v) => v === 42)).toBe(true);
    expect(Array.from(fc.lower).every((v) => v === 42)).toBe(true);
    expect(Array.from(fc.upper).every((v) => v === 42)).toBe(true);
    expect(fc.notes.join(' ')).toContain('constant');
  });

  it('uses the naive model for a very short series and puts forecasts on the series grid', () => {
    const fc = forecast(
      makeSeries(5, 10 * MIN, (i) => i),
      { horizonSteps: 3, model: 'holt-winters' },
    );
    expect(fc.model).toBe('naive');
    expect(Array.from(fc.mean)).toEqual([4, 4, 4]);
    expect(fc.stepMs).toBe(10 * MIN);
    expect(Array.from(fc.times)).toEqual([1, 2, 3].map((h) => T0 + 4 * 10 * MIN + h * 10 * MIN));
  });

  it('throws only when there is no finite value at all', () => {
    expect(() => forecast([[T0, Number.NaN]])).toThrow(RangeError);
    const single = forecast([[T0, 7]], { horizonSteps: 2 });
    expect(Array.from(single.mean)).toEqual([7, 7]);
  });

  it('detects the daily season and auto-selects a seasonal model that beats the level forecast', () => {
    const g = gaussian(11);
    const series = makeSeries(5 * 288, 5 * MIN, (i) => 100 + 40 * Math.sin((2 * Math.PI * i) / 288) + 2 * g());
    const fc = forecast(series, { horizonMs: 6 * HOUR });
    expect(fc.detectedSeasonPeriod).toBe(288);
    expect(['holt-winters', 'seasonal-naive', 'robust-trend']).toContain(fc.model);
    expect(fc.seasonPeriod).toBe(288);
    expect(fc.validationMae![fc.model]!).toBeLessThan(fc.validationMae!['recent-median']!);
    // Six hours (72 steps) after the end of day 5 the sinusoid is at its peak: 140.
    expect(fc.mean[71]!).toBeGreaterThan(130);
    expect(fc.mean[71]!).toBeLessThan(150);
  });

  it('handles NaNs and a long gap without producing NaN forecasts', () => {
    const g = gaussian(12);
    const series = makeSeries(2000, 5 * MIN, (i) => (i % 97 === 0 || (i > 1200 && i < 1400) ? Number.NaN : 10 + 0.01 * i + g()));
    const fc = forecast(series, { horizonSteps: 24 });
    expect(Array.from(fc.mean).every(Number.isFinite)).toBe(true);
    expect(fc.notes.some((n) => n.includes('interpolated'))).toBe(true);
    expect(fc.notes.some((n) => n.includes('long gaps'))).toBe(true);
    expect(fc.mean[23]!).toBeGreaterThan(25);
    expect(fc.mean[23]!).toBeLessThan(36);
  });

  it('has roughly nominal 90% intervals on white noise', () => {
    const g = gaussian(13);
    const fc = forecast(
      makeSeries(3000, MIN, () => g()),
      { horizonSteps: 5, model: 'robust-trend' },
    );
    expect(fc.upper[0]!).toBeGreaterThan(1.3);
    expect(fc.upper[0]!).toBeLessThan(2.0);
    expect(fc.lower[0]!).toBeLessThan(-1.3);
    expect(fc.lower[0]!).toBeGreaterThan(-2.0);
  });

  it('validates options from outside with zod', () => {
    expect(() =>
      forecast(
        makeSeries(20, MIN, (i) => i),
        { level: 1.5 },
      ),
    ).toThrow();
    expect(() =>
      forecast(
        makeSeries(20, MIN, (i) => i),
        { model: 'magic' as never },
      ),
    ).toThrow();
  });

  it('forecasts a steady ramp close to its continuation', () => {
    const fc = forecast(
      makeSeries(3 * 24, HOUR, (i) => 10 * i),
      { horizonMs: DAY, model: 'robust-trend' },
    );
    expect(fc.mean[23]!).toBeCloseTo(10 * (71 + 24), 6);
  });
});
