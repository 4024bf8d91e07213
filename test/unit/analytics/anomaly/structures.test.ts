import { describe, expect, it } from 'vitest';
import { RollingExtreme } from '../../../../src/analytics/anomaly/rolling-extreme.js';
import { RollingQuantile } from '../../../../src/analytics/anomaly/rolling-quantile.js';
import { rng } from './synthetic.js';

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = q * (s.length - 1);
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[lo + 1] ?? s[lo]!) - s[lo]!);
}

describe('RollingQuantile', () => {
  it.each([
    [1, 0.5],
    [2, 0.5],
    [7, 0.5],
    [64, 0.5],
    [33, 0.9],
    [20, 0],
    [20, 1],
  ])('matches a sorted copy of the window (size %i, q %f)', (size, q) => {
    const rand = rng(size * 100 + q * 10);
    const rq = new RollingQuantile(size, q);
    const win: number[] = [];
    for (let i = 0; i < 600; i++) {
      // Many ties (rounded values) and a level change exercise the heap swaps.
      const x = Math.round(rand() * 10) + (i > 300 ? 50 : 0);
      rq.push(x);
      win.push(x);
      if (win.length > size) win.shift();
      expect(rq.value()).toBeCloseTo(quantile(win, q), 12);
      expect(rq.length).toBe(win.length);
    }
  });

  it('is NaN when empty and rejects bad parameters', () => {
    expect(new RollingQuantile(5, 0.5).value()).toBeNaN();
    expect(() => new RollingQuantile(0, 0.5)).toThrow();
    expect(() => new RollingQuantile(5, 1.5)).toThrow();
  });
});

describe('RollingExtreme', () => {
  it.each([1, 2, 3, 50, 64, 100])('matches max/min of the window (size %i)', (size) => {
    const rand = rng(size);
    const mx = new RollingExtreme(size, 'max');
    const mn = new RollingExtreme(size, 'min');
    const win: number[] = [];
    for (let i = 0; i < 500; i++) {
      const x = Math.round(rand() * 20 - (i % 97));
      mx.push(x);
      mn.push(x);
      win.push(x);
      if (win.length > size) win.shift();
      expect(mx.value()).toBe(Math.max(...win));
      expect(mn.value()).toBe(Math.min(...win));
      expect(mx.length).toBe(win.length);
    }
  });

  it('is NaN when empty and rejects bad sizes', () => {
    expect(new RollingExtreme(4, 'max').value()).toBeNaN();
    expect(() => new RollingExtreme(0, 'max')).toThrow();
    expect(() => new RollingExtreme(2.5, 'min')).toThrow();
  });
});
