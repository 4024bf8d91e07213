/** Properties every registered detector must have, whatever it looks for. */
import { describe, expect, it } from 'vitest';
import { createDetector, detectorNames, scoreSeries } from '../../../../src/analytics/anomaly/index.js';
import { series, STEP_MS, T0 } from './synthetic.js';

const daily = (i: number, noise: number): number => 100 + 30 * Math.sin((2 * Math.PI * i) / 288) + 3 * noise;

describe.each(detectorNames)('detector %s', (name) => {
  it('returns scores in [0, 1] and stays finite on constant series, NaNs and gaps', () => {
    const d = createDetector(name);
    const inputs: [number, number][] = [];
    for (let i = 0; i < 3000; i++) inputs.push([T0 + i * STEP_MS, 7]);
    inputs.push([T0 + 3000 * STEP_MS, Number.NaN], [Number.NaN, 7], [T0 + 3001 * STEP_MS, Number.POSITIVE_INFINITY]);
    for (let i = 0; i < 500; i++) inputs.push([T0 + (5000 + i * 7) * STEP_MS, 7 + (i % 3)]); // gap, then irregular steps
    inputs.push([T0 + 9000 * STEP_MS, 1e12], [T0 + 9000 * STEP_MS, -1e12], [T0 + 9001 * STEP_MS, 0]);
    for (const [t, v] of inputs) {
      const s = d.update(t, v);
      expect(Number.isFinite(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(d.update(T0, Number.NaN)).toBe(0);
  });

  it('ignores NaN points without corrupting its state', () => {
    const { times, values } = series(3000, daily, 3);
    const clean = scoreSeries(times, values, name);
    const d = createDetector(name);
    for (let i = 0; i < values.length; i++) {
      if (i % 97 === 0) expect(d.update(times[i]!, Number.NaN)).toBe(0);
      expect(d.update(times[i]!, values[i]!)).toBe(clean[i]);
    }
  });

  it('uses only past points: changing points after t leaves the score at t unchanged', () => {
    const { times, values } = series(2500, daily, 4);
    const before = scoreSeries(times, values, name);
    const changed = values.slice();
    for (let i = 2000; i < changed.length; i++) changed[i] = changed[i]! * 3 + 1000;
    const after = scoreSeries(times, changed, name);
    expect(Array.from(after.subarray(0, 2000))).toEqual(Array.from(before.subarray(0, 2000)));
    expect(Array.from(after.subarray(2000))).not.toEqual(Array.from(before.subarray(2000)));
  });

  it('keeps bounded state over 100,000 points (it may grow with the first points, never after its windows fill)', () => {
    const d = createDetector(name);
    let bytesAt1000 = 0;
    let bytesAt10000 = 0;
    for (let i = 0; i < 100_000; i++) {
      d.update(T0 + i * STEP_MS, Math.sin(i / 40) * 10 + (i % 1000 === 0 ? 50 : 0));
      if (i === 999) bytesAt1000 = d.stateBytes();
      if (i === 9_999) bytesAt10000 = d.stateBytes();
    }
    expect(d.stateBytes()).toBe(bytesAt10000);
    expect(bytesAt1000).toBeLessThanOrEqual(bytesAt10000);
    expect(d.stateBytes()).toBeLessThan(200_000);
    expect(d.stateBytes()).toBeGreaterThan(0);
  });
});

describe('registry', () => {
  it('creates the default detector and rejects unknown names', () => {
    expect(detectorNames[0]).toBe('default');
    expect(new Set(detectorNames).size).toBe(detectorNames.length);
    expect(() => createDetector('nope')).toThrow(/unknown detector "nope"/);
  });
});
