import { describe, expect, it } from 'vitest';
import { backtestSeries } from '../../../../evals/forecast/backtest.js';
import { gaussian, MIN, T0 } from './helpers.js';

describe('backtestSeries (eval:forecast core)', () => {
  it('scores a noisy daily series: seasonal models beat naive and MASE uses the daily scale', () => {
    const g = gaussian(31);
    const n = 6 * 288;
    const times = Float64Array.from({ length: n }, (_, i) => T0 + i * 5 * MIN);
    const values = Float64Array.from({ length: n }, (_, i) => 100 + 30 * Math.sin((2 * Math.PI * i) / 288) + 3 * g());
    const result = backtestSeries(times, values, { origins: 4, models: ['auto', 'naive'] });
    expect(result.horizonSteps).toBe(12);
    expect(result.seasonPeriod).toBe(288);
    expect(result.origins).toBe(4);
    const auto = result.scores.auto!;
    const naive = result.scores.naive!;
    expect(auto.mase).toBeLessThan(naive.mase);
    // Seasonal-naive in-sample MAE ≈ E|ε₁ − ε₂| = 2σ/√π ≈ 3.4; a good forecast errs ≈ σ√(2/π) ≈ 2.4.
    expect(auto.mase).toBeGreaterThan(0.5);
    expect(auto.mase).toBeLessThan(1);
    expect(auto.coverage).toBeGreaterThan(0.7);
  });

  it('uses one step as the horizon when the step is an hour or more', () => {
    const times = Float64Array.from({ length: 200 }, (_, i) => T0 + i * 3_600_000);
    const values = Float64Array.from({ length: 200 }, (_, i) => i % 7);
    expect(backtestSeries(times, values, { origins: 2, models: ['naive'] }).horizonSteps).toBe(1);
  });
});
