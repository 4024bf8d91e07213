import { describe, expect, it } from 'vitest';
import { inferStepMs, regularize } from '../../../../src/analytics/forecast/regularize.js';
import { toTimedValues } from '../../../../src/analytics/forecast/series-input.js';

const MIN = 60_000;

describe('toTimedValues', () => {
  it('accepts [ms, value] pairs, sorts them and turns non-finite values into NaN', () => {
    const out = toTimedValues([
      [3 * MIN, 3],
      [1 * MIN, 1],
      [2 * MIN, Number.POSITIVE_INFINITY],
      [Number.NaN, 9],
    ]);
    expect(Array.from(out.times)).toEqual([MIN, 2 * MIN, 3 * MIN]);
    expect(out.values[0]).toBe(1);
    expect(Number.isNaN(out.values[1]!)).toBe(true);
    expect(out.values[2]).toBe(3);
  });

  it('rejects parallel arrays of different lengths', () => {
    expect(() => toTimedValues({ times: [1, 2], values: [1] })).toThrow(RangeError);
  });
});

describe('inferStepMs', () => {
  it('uses the median delta, so a few late samples and duplicates do not change it', () => {
    const times = [0, 5, 10, 10, 15, 27, 30, 35].map((m) => m * MIN);
    expect(inferStepMs(times)).toBe(5 * MIN);
  });
});

describe('regularize', () => {
  it('interpolates short gaps and leaves long gaps missing', () => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < 40; i++) {
      if (i === 5 || i === 6) continue; // short gap of 2 steps
      if (i >= 20 && i < 30) continue; // long gap of 10 steps
      pairs.push([i * 5 * MIN, i]);
    }
    const grid = regularize(pairs, { maxFillSteps: 3 })!;
    expect(grid.stepMs).toBe(5 * MIN);
    expect(grid.values.length).toBe(40);
    expect(grid.values[5]).toBeCloseTo(5, 10);
    expect(grid.values[6]).toBeCloseTo(6, 10);
    expect(grid.filledPoints).toBe(2);
    expect(grid.missingPoints).toBe(10);
    expect(Number.isNaN(grid.values[25]!)).toBe(true);
  });

  it('snaps jittered timestamps to the grid and averages collisions', () => {
    const grid = regularize([
      [0, 1],
      [60_000 + 3_000, 2],
      [120_000 - 2_000, 4],
      [120_000 + 1_000, 6],
      [180_000, 8],
    ])!;
    expect(Array.from(grid.values)).toEqual([1, 2, 5, 8]);
  });

  it('trims leading and trailing missing values and returns null without data', () => {
    const grid = regularize({ times: [0, 1, 2, 3], values: [Number.NaN, 1, 2, Number.NaN] })!;
    expect(Array.from(grid.values)).toEqual([1, 2]);
    expect(grid.startMs).toBe(1);
    expect(regularize({ times: [0, 1], values: [Number.NaN, Number.NaN] })).toBeNull();
  });
});
