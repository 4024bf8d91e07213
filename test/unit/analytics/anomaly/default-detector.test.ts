/** The fused default detector must score exactly like the generic ensemble it replaces for speed. */
import { describe, expect, it } from 'vitest';
import { createDetector, type DetectorOptions } from '../../../../src/analytics/anomaly/index.js';
import { referenceDefault } from '../../../../src/analytics/anomaly/registry.js';
import { rng, series, STEP_MS, T0, weekly } from './synthetic.js';

const daily = (i: number, noise: number): number => 100 + 30 * Math.sin((2 * Math.PI * i) / 288) + 3 * noise + (i % 1777 === 0 ? 60 : 0);

function inputs(): [number, number][] {
  const { times, values } = series(6000, daily, 21);
  const out: [number, number][] = [];
  for (let i = 0; i < values.length; i++) out.push([times[i]!, values[i]!]);
  // NaN values and times, repeated and backwards timestamps, a multi-day gap, fractional and negative times.
  out.push([T0, Number.NaN], [Number.NaN, 5], [out.at(-1)![0], 120], [T0 + 10 * STEP_MS, 90]);
  const rand = rng(5);
  let t = T0 + 9000 * STEP_MS;
  for (let i = 0; i < 3000; i++) {
    t += rand() < 0.05 ? 3 * 86_400_000 : STEP_MS * (1 + Math.floor(rand() * 3)) + (i > 2500 ? 0.25 : 0);
    out.push([t, daily(i, rand() - 0.5) + (i === 2000 ? 200 : 0)]);
  }
  for (let i = 0; i < 300; i++) out.push([-86_400_000 * 3 + i * STEP_MS, 7 + (i % 5)]);
  for (let i = 0; i < 300; i++) out.push([T0 + 20_000 * STEP_MS + i * STEP_MS, 7]);
  // Nine weeks with a weekly pattern: the seasonal member switches to its weekly baseline.
  const w = series(288 * 63, (i, n) => weekly(i, n) + (i % 4999 === 0 ? 80 : 0), 8);
  for (let i = 0; i < w.values.length; i++) out.push([w.times[i]! + 30_000 * STEP_MS, w.values[i]!]);
  return out;
}

describe('DefaultDetector (fused default ensemble)', () => {
  it.each<Partial<DetectorOptions>>([{}, { direction: 'up' }, { direction: 'down' }, { direction: 'both', minDev: 4 }])(
    'matches the generic adaptive-seasonal + range-breakout ensemble point for point (%o)',
    (opts) => {
      const fused = createDetector('default', opts);
      const reference = referenceDefault(opts);
      let positives = 0;
      for (const [t, v] of inputs()) {
        const a = fused.update(t, v);
        expect(a).toBe(reference.update(t, v));
        if (a > 0) positives++;
      }
      expect(positives).toBeGreaterThan(100);
      expect(fused.stateBytes()).toBeGreaterThan(0);
    },
  );

  it('holds state for the points it has seen, up to its windows: a few KiB for an analysis window, not 40', () => {
    const short = createDetector('default');
    const { times, values } = series(361, daily, 3); // 6 h of 1-minute points: one series of one analysis
    short.scoreInto(times, values, new Float64Array(361));
    expect(short.stateBytes()).toBeLessThan(16_000);
    const long = createDetector('default');
    const many = series(5000, daily, 4);
    long.scoreInto(many.times, many.values, new Float64Array(5000));
    // The 2048-point range window: values sharing one array with the suffix highs, and the suffix lows.
    expect(long.stateBytes()).toBeGreaterThan(2 * 8 * 2048);
    expect(long.stateBytes()).toBeLessThan(42_000);
  });

  it('matches the reference at every bin boundary, to the millisecond (cached bins, shifted weekly boundaries)', () => {
    // Around each 15-minute boundary for five weeks: −2 … +2 ms back and forth, fractional offsets, a repeated time,
    // so the cached bin intervals are entered and left on both sides (some weekly boundaries are one
    // millisecond off the exact multiples of an hour in floating point).
    const WEEK = 7 * 86_400_000;
    const base = 2600 * WEEK;
    const rand = rng(17);
    const fused = createDetector('default');
    const reference = referenceDefault();
    let positives = 0;
    for (let k = 0; k < 5 * 7 * 96; k++) {
      for (const off of [-2, 1, 0, -1, 2, -0.5, 0.25, 0]) {
        const t = base + k * 900_000 + off;
        const v =
          100 + 30 * Math.sin((2 * Math.PI * k) / 96) + 10 * (k % 672 < 96 ? 1 : 0) + 3 * (rand() - 0.5) + (rand() < 0.002 ? 50 : 0);
        const a = fused.update(t, v);
        expect(a).toBe(reference.update(t, v));
        if (a > 0) positives++;
      }
    }
    expect(positives).toBeGreaterThan(100);
    // Fresh detectors whose first point falls in various bins (the bin cache starts empty).
    for (const start of [1, 900_001, 1_800_000, 51 * 3_600_000, 86_400_000 - 1, WEEK - 0.5]) {
      const a = createDetector('default');
      const r = referenceDefault();
      for (let i = 0; i < 1500; i++) {
        const t = base + start + i * 300_000;
        const v = 50 + 10 * Math.sin(i / 20) + (rand() - 0.5) + (i % 500 === 499 ? 30 : 0);
        expect(a.update(t, v)).toBe(r.update(t, v));
      }
    }
  });
});

describe('scoreInto (batch) equals update (per point)', () => {
  const all = inputs();
  const times = Float64Array.from(all, (p) => p[0]);
  const values = Float64Array.from(all, (p) => p[1]);

  it.each<Partial<DetectorOptions>>([{}, { direction: 'up' }, { direction: 'down' }, { direction: 'both', minDev: 4 }])(
    'scores every point bit for bit like update, alone and mixed with update (%o)',
    (opts) => {
      const expected = new Float64Array(times.length);
      const single = createDetector('default', opts);
      for (let i = 0; i < times.length; i++) expected[i] = single.update(times[i]!, values[i]!);
      expect(expected.filter((s) => s > 0).length).toBeGreaterThan(100);

      // Whole array in one call.
      const batch = new Float64Array(times.length);
      createDetector('default', opts).scoreInto(times, values, batch);
      expect(batch).toEqual(expected);
      for (let i = 0; i < times.length; i++) expect(Object.is(batch[i], expected[i])).toBe(true);

      // Irregular chunks (empty, one point, a block boundary straddled) alternating with per-point updates.
      const mixed = new Float64Array(times.length);
      const d = createDetector('default', opts);
      const rand = rng(99);
      let i = 0;
      let k = 0;
      while (i < times.length) {
        if (k++ % 2 === 0) {
          const to = Math.min(times.length, i + [0, 1, 7, 143, 2049, 5000][Math.floor(rand() * 6)]!);
          d.scoreInto(times, values, mixed, i, to);
          i = to;
        } else {
          for (const end = Math.min(times.length, i + 1 + Math.floor(rand() * 300)); i < end; i++)
            mixed[i] = d.update(times[i]!, values[i]!);
        }
      }
      for (let j = 0; j < times.length; j++) expect(Object.is(mixed[j], expected[j])).toBe(true);
      expect(d.stateBytes()).toBe(single.stateBytes());
    },
  );

  it('the generic detectors batch through update too, and bad ranges throw', () => {
    const n = 3000;
    for (const name of ['robust-level', 'range-breakout']) {
      const a = createDetector(name);
      const b = createDetector(name);
      const out = new Float64Array(n);
      a.scoreInto(times, values, out, 0, n);
      for (let i = 0; i < n; i++) expect(Object.is(out[i], b.update(times[i]!, values[i]!))).toBe(true);
    }
    const d = createDetector('default');
    const out = new Float64Array(10);
    expect(() => d.scoreInto(times, values, out)).toThrow(RangeError);
    expect(() => d.scoreInto(times, values, out, 5, 4)).toThrow(RangeError);
    expect(() => d.scoreInto(times, values, out, -1, 3)).toThrow(RangeError);
    d.scoreInto(times, values, out, 3, 3); // empty range: nothing consumed
    expect(d.update(times[0]!, values[0]!)).toBe(createDetector('default').update(times[0]!, values[0]!));
  });
});
