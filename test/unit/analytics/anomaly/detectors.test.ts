/** Each detector on a synthetic series where the answer is known. */
import { describe, expect, it } from 'vitest';
import { NEWS_P, scoreFromSurprise, surpriseOf } from '../../../../src/analytics/anomaly/calibrate.js';
import { createDetector, scoreSeries } from '../../../../src/analytics/anomaly/index.js';
import { maxOf, series, STEP_MS, T0 } from './synthetic.js';

const flat = (i: number, noise: number): number => 50 + 2 * noise;
const daily = (i: number, noise: number): number => 100 + 30 * Math.sin((2 * Math.PI * i) / 288) + 2 * noise;

/** Score at (or within `within` points after) `at` exceeds every score before it after warm-up. */
function caught(scores: Float64Array, at: number, within = 0, warmup = 600): void {
  const hit = maxOf(scores, at, at + within + 1);
  expect(hit).toBeGreaterThan(maxOf(scores, warmup, at));
  expect(hit).toBeGreaterThan(0.25);
}

describe('spike', () => {
  it.each(['default', 'robust-level', 'rate-of-change', 'range-breakout', 'seasonal'])(
    '%s scores a spike higher than all normal points',
    (name) => {
      const { times, values } = series(4000, name === 'seasonal' ? daily : flat, 11);
      values[3000] = values[3000]! + 40;
      caught(scoreSeries(times, values, name), 3000);
    },
  );
});

describe('level shift', () => {
  it.each(['change-point', 'robust-level'])('%s catches a lasting shift of 3σ within 20 points', (name) => {
    const { times, values } = series(4000, (i, n) => flat(i, n) + (i >= 3000 ? 4.5 : 0), 12);
    caught(scoreSeries(times, values, name), 3000, 20);
  });

  // A 3σ step stays inside the range of thousands of noisy points; range models need it to leave the range.
  it.each(['default', 'range-breakout'])('%s catches a lasting shift of 6σ within 20 points', (name) => {
    const { times, values } = series(4000, (i, n) => flat(i, n) + (i >= 3000 ? 9 : 0), 12);
    caught(scoreSeries(times, values, name), 3000, 20);
  });

  it('change-point catches a shift of 1σ that no single point reveals, within 60 points', () => {
    const { times, values } = series(4000, (i, n) => flat(i, n) + (i >= 3000 ? 1.5 : 0), 13);
    caught(scoreSeries(times, values, 'change-point'), 3000, 60);
  });
});

describe('seasonal', () => {
  it('catches a missing daily peak that stays inside the normal range', () => {
    const { times, values } = series(288 * 14, daily, 14);
    const start = 288 * 11 + 40; // the rising half of day 11 stays at the daily mean instead
    for (let i = start; i < start + 60; i++) values[i] = 100 + (2 * (values[i]! - daily(i, 0))) / 2;
    caught(scoreSeries(times, values, 'seasonal'), start, 30, 288 * 4);
  });
});

describe('volatility shift', () => {
  it('catches noise that suddenly triples, and a series that goes flat', () => {
    const noisy = series(4000, (i, n) => 50 + (i >= 3000 ? 6 : 2) * n, 15);
    caught(scoreSeries(noisy.times, noisy.values, 'volatility-shift'), 3000, 30);
    const stuck = series(4000, (i, n) => (i >= 3000 ? 50 : 50 + 2 * n), 16);
    caught(scoreSeries(stuck.times, stuck.values, 'volatility-shift'), 3000, 60);
  });
});

describe('options', () => {
  it('direction "up" ignores drops and "down" ignores rises', () => {
    const { times, values } = series(4000, flat, 17);
    values[3000] = 0;
    values[3500] = 100;
    const up = scoreSeries(times, values, 'robust-level', { direction: 'up' });
    const down = scoreSeries(times, values, 'robust-level', { direction: 'down' });
    expect(up[3000]).toBe(0);
    expect(up[3500]).toBeGreaterThan(0.5);
    expect(down[3500]).toBe(0);
    expect(down[3000]).toBeGreaterThan(0.5);
  });

  it('minDev silences deviations smaller than the floor', () => {
    const { times, values } = series(4000, (i, n) => 0.01 + 0.001 * n, 18);
    values[3000] = 0.05; // a 50σ relative spike that is tiny in absolute terms
    expect(scoreSeries(times, values, 'robust-level')[3000]).toBeGreaterThan(0.5);
    const floored = scoreSeries(times, values, 'default', { minDev: 1 });
    expect(maxOf(floored, 0, 4000)).toBe(0);
  });

  it('reports no evidence as 0: every score is 0 or comes from a surprise of at least one decade', () => {
    // NEWS_P (calibrate.ts): p ≥ 0.1 is reported as 0. The smallest score a surprise L ≥ 1 can leave after
    // both discounts halve it is scoreFromSurprise(0.25); scores between 0 and that would be p ≥ 0.1 leaking through.
    expect(surpriseOf(NEWS_P)).toBe(0);
    expect(surpriseOf(0.099)).toBeGreaterThan(1);
    for (const name of ['default', 'seasonal', 'range-breakout']) {
      const { times, values } = series(3000, daily, 23);
      const s = scoreSeries(times, values, name);
      const nonzero = [...s].filter((x) => x > 0);
      expect(nonzero.length).toBeGreaterThan(0);
      expect(Math.min(...nonzero)).toBeGreaterThanOrEqual(scoreFromSurprise(0.25));
      // Most points of a noisy series carry no evidence at all.
      expect(s.filter((x) => x === 0).length).toBeGreaterThan(0.5 * s.length);
    }
  });

  it('scores tiny jitter on a large level like any noise: the numeric floors never become the scale', () => {
    // 42 + noise, once with noise of 1 and once of 1e-6 (relative 2e-8, like a byte gauge wobbling by a few
    // bytes): the same series up to scale, so the same scores. A relative floor of 1e-6 used to set the scale
    // of the second one, so its ordinary wobbles scored as far rarer events than the same wobbles at scale 1.
    for (const seed of [7, 8, 9]) {
      const big = series(4000, (_i, n) => 42 + 1.4 * n, seed);
      const tiny = { times: big.times, values: big.values.map((v) => 42 + (v - 42) * 1e-6) };
      for (const name of ['default', 'range-breakout', 'seasonal']) {
        const a = scoreSeries(big.times, big.values, name);
        const b = scoreSeries(tiny.times, tiny.values, name);
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        expect(worst).toBeLessThan(1e-6);
      }
    }
  });

  it('de-duplicates: a sustained anomaly fires at its start, not at every point', () => {
    const { times, values } = series(4000, (i, n) => flat(i, n) + (i >= 3000 && i < 3050 ? 30 : 0), 19);
    const s = scoreSeries(times, values, 'default');
    const first = s[3000]!;
    let repeats = 0;
    for (let i = 3001; i < 3050; i++) if (s[i]! >= first) repeats++;
    expect(first).toBeGreaterThan(0.5);
    expect(repeats).toBeLessThan(3);
  });
});

it('handles irregular sampling with duplicate timestamps', () => {
  const d = createDetector('default');
  let t = T0;
  let last = 0;
  for (let i = 0; i < 3000; i++) {
    t += i % 50 === 0 ? 0 : STEP_MS * (1 + (i % 3));
    last = d.update(t, 10 + (i % 5));
  }
  expect(Number.isFinite(last)).toBe(true);
  expect(d.update(t + STEP_MS, 500)).toBeGreaterThan(0.5);
});
