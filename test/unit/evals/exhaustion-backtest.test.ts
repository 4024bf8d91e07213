import { describe, expect, it } from 'vitest';
import { exhaustionBacktest, rangeCovers } from '../../../evals/exhaustion/backtest.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('time-to-exhaustion backtest', () => {
  it('checks a truth against a range whose null ends mean "not within the horizon"', () => {
    expect(rangeCovers(5, 2, 8, 0)).toBe(true);
    expect(rangeCovers(1, 2, 8, 0)).toBe(false); // crossed sooner than the earliest plausible time
    expect(rangeCovers(1, 2, 8, 1)).toBe(true); // within one step of slack
    expect(rangeCovers(9, 2, 8, 0)).toBe(false); // later than the latest
    expect(rangeCovers(9, 2, null, 0)).toBe(true); // the latest was left open
    expect(rangeCovers(null, 2, null, 0)).toBe(true); // never reached, and the range allowed that
    expect(rangeCovers(null, 2, 8, 0)).toBe(false); // the range promised a crossing that did not come
    expect(rangeCovers(3, null, null, 0)).toBe(false); // the range said "not within the horizon"
  });

  it('asks only what the history can pose and finds the true crossing of a clean ramp', () => {
    // 5-minute ramp of 1 per step over 12 days: history 7 days (range ≈ 2015), horizon 2 days (576 steps).
    const n = 12 * 288;
    const times = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 300_000);
    const values = Float64Array.from({ length: n }, (_, i) => i);
    const cases = exhaustionBacktest(times, values, { origins: 3 });
    expect(cases).toHaveLength(3 * 4);
    for (const c of cases) {
      // Every origin has a full history before it and a full horizon after it.
      expect(c.originMs - times[0]!).toBeGreaterThanOrEqual(7 * DAY);
      expect(times[n - 1]! - c.originMs).toBeGreaterThanOrEqual(2 * DAY);
      const stepsToLimit = c.limit - (c.originMs - times[0]!) / 300_000;
      if (c.distance === 0.25) {
        // +0.25 × ~2015 ≈ 504 steps: reached 42 h later, answered exactly (no noise), so covered.
        expect(c.truthMs).toBe(Math.ceil(stepsToLimit) * 300_000);
        expect(c.status).toBe('will_exhaust');
        expect(c.covered).toBe(true);
        expect(c.statusRight).toBe(true);
      } else {
        expect(c.truthMs).toBeNull(); // ≥ 1008 steps away: beyond the 576-step horizon
        expect(c.status).toBe('not_within_horizon');
        expect(c.covered).toBe(true);
      }
    }
  });
});
