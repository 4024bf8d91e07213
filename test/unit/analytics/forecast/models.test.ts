import { describe, expect, it } from 'vitest';
import { fitHoltWinters, varianceMultipliers } from '../../../../src/analytics/forecast/holt-winters.js';
import { mase, seasonalNaiveScale } from '../../../../src/analytics/forecast/mase.js';
import { fitNaive, fitSeasonalNaive } from '../../../../src/analytics/forecast/naive.js';
import { fitRobustTrend } from '../../../../src/analytics/forecast/robust-trend.js';
import { detectSeason } from '../../../../src/analytics/forecast/seasonality.js';
import { theilSen } from '../../../../src/analytics/forecast/theil-sen.js';
import { gaussian, MIN } from './helpers.js';

const STEP = 5 * MIN;
const DAY_STEPS = 288;

function seasonal(n: number, noise: number, seed = 1): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / DAY_STEPS) + noise * g());
}

describe('detectSeason', () => {
  it('finds a daily season in a noisy sinusoid sampled every 5 minutes', () => {
    const d = detectSeason(seasonal(4 * DAY_STEPS, 3), STEP);
    expect(d.period).toBe(DAY_STEPS);
    expect(d.autocorrelation).toBeGreaterThan(0.5);
  });

  it('rejects white noise, a ramp, and data shorter than three days', () => {
    const g = gaussian(2);
    expect(
      detectSeason(
        Float64Array.from({ length: 4 * DAY_STEPS }, () => g()),
        STEP,
      ).period,
    ).toBeNull();
    expect(
      detectSeason(
        Float64Array.from({ length: 4 * DAY_STEPS }, (_, i) => i + g()),
        STEP,
      ).period,
    ).toBeNull();
    expect(detectSeason(seasonal(2 * DAY_STEPS, 1), STEP).period).toBeNull();
  });

  it('needs a step shorter than half the season', () => {
    expect(detectSeason(seasonal(100, 0), 86_400_000).period).toBeNull();
  });
});

describe('Holt-Winters', () => {
  it('forecasts a noise-free seasonal series with a trend closely (damping costs a little at one day)', () => {
    const n = 5 * DAY_STEPS;
    const truth = (i: number): number => 100 + 0.01 * i + 20 * Math.sin((2 * Math.PI * i) / DAY_STEPS);
    const values = Float64Array.from({ length: n }, (_, i) => truth(i));
    const model = fitHoltWinters(values, { period: DAY_STEPS });
    expect(model.seasonPeriod).toBe(DAY_STEPS);
    const { mean } = model.predict(DAY_STEPS, 0.9);
    for (const h of [1, 12]) expect(Math.abs(mean[h - 1]! - truth(n - 1 + h))).toBeLessThan(0.2);
    // The damped trend (φ ≤ 0.98) adds at most Σφ^h ≈ 49 steps of slope instead of 288: ≤ 2.4 short.
    for (const h of [144, 288]) expect(Math.abs(mean[h - 1]! - truth(n - 1 + h))).toBeLessThan(2.5);
  });

  it('gives intervals that contain the mean and widen with the horizon', () => {
    const model = fitHoltWinters(seasonal(4 * DAY_STEPS, 2), { period: DAY_STEPS });
    const { mean, lower, upper } = model.predict(48, 0.9);
    for (let i = 0; i < 48; i++) {
      expect(lower[i]!).toBeLessThan(mean[i]!);
      expect(upper[i]!).toBeGreaterThan(mean[i]!);
    }
    expect(upper[47]! - lower[47]!).toBeGreaterThan(upper[0]! - lower[0]!);
  });

  it('falls back to a non-seasonal fit with fewer than two seasons and tolerates missing values', () => {
    const values = seasonal(DAY_STEPS, 1);
    for (let i = 100; i < 130; i++) values[i] = Number.NaN;
    const model = fitHoltWinters(values, { period: DAY_STEPS });
    expect(model.seasonPeriod).toBeNull();
    const { mean } = model.predict(6, 0.9);
    expect(mean.every(Number.isFinite)).toBe(true);
  });

  it('has the textbook variance multipliers: simple exponential smoothing gives 1 + (h−1)α²', () => {
    const v = varianceMultipliers({ alpha: 0.5, beta: 0, gamma: 0, phi: 1 }, null, 4);
    expect(Array.from(v)).toEqual([1, 1.25, 1.5, 1.75]);
    // With a season of 2 the seasonal term adds γ at every multiple of the period.
    const s = varianceMultipliers({ alpha: 0.5, beta: 0, gamma: 0.5, phi: 1 }, 2, 3);
    expect(s[2]).toBeCloseTo(1 + 0.25 + 1, 12);
  });
});

describe('Theil-Sen and the robust trend', () => {
  it('ignores 20% gross outliers and brackets the true slope', () => {
    const g = gaussian(3);
    const y = Float64Array.from({ length: 500 }, (_, i) => 10 + 0.5 * i + g() + (i % 5 === 0 ? 400 : 0));
    const fit = theilSen(y)!;
    expect(fit.slope).toBeCloseTo(0.5, 2);
    expect(fit.slopeLow).toBeLessThanOrEqual(0.5);
    expect(fit.slopeHigh).toBeGreaterThanOrEqual(0.5);
  });

  it('returns null with fewer than two finite points', () => {
    expect(theilSen([1, Number.NaN])).toBeNull();
  });

  it('extrapolates a noisy line with a band that contains the truth', () => {
    const g = gaussian(4);
    const y = Float64Array.from({ length: 400 }, (_, i) => 5 + 0.2 * i + g());
    const model = fitRobustTrend(y)!;
    const { mean, lower, upper } = model.predict(100, 0.9);
    const truth = 5 + 0.2 * 499;
    expect(mean[99]!).toBeCloseTo(truth, 0);
    expect(lower[99]!).toBeLessThan(truth);
    expect(upper[99]!).toBeGreaterThan(truth);
  });

  it('adds the seasonal profile when given a season', () => {
    const y = Float64Array.from({ length: 3 * DAY_STEPS }, (_, i) => 100 + 0.05 * i + 30 * Math.sin((2 * Math.PI * i) / DAY_STEPS));
    const model = fitRobustTrend(y, { period: DAY_STEPS })!;
    const { mean } = model.predict(DAY_STEPS, 0.9);
    const i = 3 * DAY_STEPS - 1 + 72; // a quarter day ahead: the daily peak
    expect(mean[71]!).toBeCloseTo(100 + 0.05 * i + 30, 0);
  });
});

describe('naive models and MASE', () => {
  it('naive repeats the last finite value; seasonal naive repeats the last season', () => {
    const y = Float64Array.from([1, 2, 3, 4, 5, 6, Number.NaN]);
    expect(Array.from(fitNaive(y).predict(2, 0.9).mean)).toEqual([6, 6]);
    const s = fitSeasonalNaive(Float64Array.from([1, 2, 3, 10, 20, 30]), 3);
    expect(Array.from(s.predict(4, 0.9).mean)).toEqual([10, 20, 30, 10]);
  });

  it('computes MASE with the in-sample seasonal-naive scale', () => {
    expect(seasonalNaiveScale([1, 2, 4, 7], 1)).toBeCloseTo(2, 12); // |1|+|2|+|3| over 3
    expect(seasonalNaiveScale([1, 5, 2, 7], 2)).toBeCloseTo(1.5, 12); // |1|+|2| over 2
    expect(mase([10, 12, Number.NaN], [11, 10, 0], 2)).toBeCloseTo(0.75, 12);
    expect(Number.isNaN(mase([1], [1], 0))).toBe(true);
  });
});
