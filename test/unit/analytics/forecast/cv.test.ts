import { describe, expect, it } from 'vitest';
import { categoryOf, choose, crossValidate } from '../../../../evals/forecast/cv.js';
import { pairedRatio } from '../../../../evals/forecast/paired.js';
import type { FileResult } from '../../../../evals/forecast/report.js';

/** A file whose configurations score the given MASE values (coverage 0.9). */
function file(name: string, scores: Record<string, number>): FileResult {
  return {
    file: name,
    rows: 100,
    stepMs: 300_000,
    horizonSteps: 12,
    seasonPeriod: null,
    origins: 20,
    notes: [],
    scores: Object.fromEntries(Object.entries(scores).map(([k, mase]) => [k, { mase, coverage: 0.9, used: {}, ms: 1 }])),
  };
}

describe('forecast cross-validation (eval:forecast)', () => {
  it('groups NAB files by their first directory', () => {
    expect(categoryOf('realTweets/Twitter_volume_FB.csv')).toBe('realTweets');
    expect(categoryOf('flat.csv')).toBe('.');
  });

  it('scores each held-out category with the configuration that wins on the others, not on itself', () => {
    // 'naive' wins the in-sample choice (categories a and b) but is bad on c; 'auto' is good on c only.
    const files = [
      file('a/1.csv', { auto: 0.9, naive: 0.5 }),
      file('a/2.csv', { auto: 0.9, naive: 0.5 }),
      file('b/1.csv', { auto: 0.9, naive: 0.6 }),
      file('b/2.csv', { auto: 0.9, naive: 0.6 }),
      file('c/1.csv', { auto: 0.4, naive: 2 }),
    ];
    expect(choose(files, ['auto', 'naive'])).toBe('naive');
    const cv = crossValidate(files, ['auto', 'naive'], 10);
    expect(cv.inSample.choice).toBe('naive');
    const c = cv.loco.find((l) => l.category === 'c')!;
    expect(c.choice).toBe('naive');
    expect(c.medianMase).toBe(2);
    expect(cv.loco.find((l) => l.category === 'a')!.medianMase).toBe(0.5);
    // Pooled: every file scored once, with its held-out choice: [0.5, 0.5, 0.6, 0.6, 2].
    expect(cv.locoPooled.medianMase).toBe(0.6);
    expect(cv.locoPooled.files).toBe(5);
    expect(cv.locoPooled.coverage).toBeCloseTo(0.9);
  });

  it('repeats random half-splits deterministically and reports their spread', () => {
    const files = Array.from({ length: 12 }, (_, i) => file(`k${i % 3}/${i}.csv`, { auto: 0.5 + i / 20, naive: 1 }));
    const a = crossValidate(files, ['auto', 'naive'], 20);
    const b = crossValidate(files, ['auto', 'naive'], 20);
    expect(a.splits).toEqual(b.splits);
    expect(a.splits.choices).toEqual({ auto: 20 });
    expect(a.splits.sdMedianMase).toBeGreaterThan(0);
    expect(a.splits.meanMedianMase).toBeGreaterThan(0.6);
    expect(a.splits.meanMedianMase).toBeLessThan(0.9);
  });

  it('pairs files: the geometric-mean ratio and its ±2 s.e. interval vs the production configuration', () => {
    // Ratios 0.5, 2 and 1 → geometric mean 1; 'better' is 0.8× on every file → exactly 0.8, no spread.
    const files = [
      file('a/1.csv', { auto: 1, other: 0.5, better: 0.8 }),
      file('a/2.csv', { auto: 0.5, other: 1, better: 0.4 }),
      file('b/1.csv', { auto: 2, other: 2, better: 1.6 }),
      file('b/2.csv', { auto: Number.NaN, other: 1, better: 1 }),
    ];
    const other = pairedRatio(files, 'auto', 'other' as never);
    expect(other.files).toBe(3);
    expect(other.geoRatio).toBeCloseTo(1, 12);
    expect(other.low).toBeLessThan(1);
    expect(other.high).toBeGreaterThan(1);
    const better = pairedRatio(files, 'auto', 'better' as never);
    expect(better.geoRatio).toBeCloseTo(0.8, 12);
    expect(better.high).toBeCloseTo(0.8, 12);
  });
});
