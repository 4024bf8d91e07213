/** The adaptive seasonal member: weekly baseline only when it predicts clearly better than the daily one. */
import { describe, expect, it } from 'vitest';
import { AdaptiveSeasonalModel } from '../../../../src/analytics/anomaly/adaptive-seasonal.js';
import { SeasonalModel } from '../../../../src/analytics/anomaly/seasonal.js';
import { DEFAULT_OPTIONS } from '../../../../src/analytics/anomaly/types.js';
import { series, STEP_MS, T0, weekly } from './synthetic.js';

const DAY = 288; // 5-minute points per day

function surprises(model: { surprise(t: number, v: number): number }, times: Float64Array, values: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out.push(model.surprise(times[i]!, values[i]!));
  return out;
}

describe('AdaptiveSeasonalModel', () => {
  it('is the daily model exactly on a series without a weekly pattern', () => {
    const { times, values } = series(DAY * 40, (i, n) => 50 + 10 * Math.sin((2 * Math.PI * i) / DAY) + n, 3);
    expect(surprises(new AdaptiveSeasonalModel(DEFAULT_OPTIONS), times, values)).toEqual(
      surprises(new SeasonalModel(DEFAULT_OPTIONS), times, values),
    );
  });

  it('switches to the weekly baseline when weekends differ, so weekends stop looking anomalous', () => {
    const { times, values } = series(DAY * 63, weekly, 4);
    const adaptive = surprises(new AdaptiveSeasonalModel(DEFAULT_OPTIONS), times, values);
    const daily = surprises(new SeasonalModel(DEFAULT_OPTIONS), times, values);
    // Last three weeks: the first hours of each Saturday (the weekday→weekend switch).
    let a = 0;
    let d = 0;
    for (let w = 6; w < 9; w++) {
      const sat = (w * 7 + 5) * DAY;
      for (let i = sat; i < sat + 36; i++) {
        a = Math.max(a, adaptive[i]!);
        d = Math.max(d, daily[i]!);
      }
    }
    expect(d).toBeGreaterThan(5);
    expect(a).toBeLessThan(d / 2);
  });

  it('ignores points without a valid time or value', () => {
    const m = new AdaptiveSeasonalModel(DEFAULT_OPTIONS);
    expect(m.surprise(Number.NaN, 1)).toBe(0);
    expect(m.surprise(T0 + STEP_MS, Number.NaN)).toBe(0);
    expect(m.stateBytes()).toBeGreaterThan(0);
  });
});
