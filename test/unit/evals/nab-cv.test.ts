import { describe, expect, it } from 'vitest';
import {
  halfSplits,
  halfSplitSelect,
  heldOutScore,
  heldOutSelect,
  heldOutSelectOwnThreshold,
  leaveOneCategoryOut,
  locoSelect,
  seededRandom,
  stratifiedHalf,
  summary,
  type CategorisedFile,
} from '../../../evals/nab/cv.js';
import { bestThreshold, normalise, PROFILES } from '../../../evals/nab/scorer.js';

const standard = PROFILES[0]!;

/**
 * A 100-row file (probation 15 rows) in `category` with one window [50, 59] (unless `windows` says
 * otherwise) and the given row → score detections; every other row scores 0.
 */
function file(
  name: string,
  category: string,
  detections: Record<number, number>,
  windows: [number, number][] = [[50, 59]],
): CategorisedFile {
  const scores = new Float64Array(100);
  for (const [row, s] of Object.entries(detections)) scores[Number(row)] = s;
  return { name, category, scores, windows };
}

/**
 * Category A: each window caught at its first row with score 0.9, plus a false positive (before the
 * window: full cost 0.11) scoring 0.5. Category B: windows caught only at score 0.5, no false positives.
 * A alone wants threshold 0.9 (raw 2 against 1.78 at 0.5); B alone wants 0.5 (raw 2 against −2 at 0.9).
 */
const A = [file('A/a1.csv', 'A', { 50: 0.9, 20: 0.5 }), file('A/a2.csv', 'A', { 50: 0.9, 20: 0.5 })];
const B = [file('B/b1.csv', 'B', { 50: 0.5 }), file('B/b2.csv', 'B', { 50: 0.5 })];

describe('NAB cross-validation', () => {
  it('in-sample picks one threshold for both categories: 0.5, raw 2·0.89 + 2 = 3.78', () => {
    const fit = bestThreshold([...A, ...B], standard);
    expect(fit.threshold).toBe(0.5);
    expect(fit.raw).toBeCloseTo(3.78, 12);
    expect(normalise(fit.raw, 4, standard).score).toBeCloseTo(97.25, 10);
  });

  it('leave-one-category-out scores each category at the threshold the other one prefers, so it is below in-sample', () => {
    const loco = leaveOneCategoryOut([...A, ...B], standard);
    const [a, b] = loco.categories;
    // A held out: threshold from B = 0.5, so A pays its false positives: 2 × (1 − 0.11).
    expect(a).toMatchObject({ category: 'A', files: 2, windows: 2, threshold: 0.5 });
    expect(a!.raw).toBeCloseTo(1.78, 12);
    expect(a!.score).toBeCloseTo((100 * (1.78 + 2)) / 4, 10);
    // B held out: threshold from A = 0.9, so both of B's windows are missed.
    expect(b).toMatchObject({ category: 'B', files: 2, windows: 2, threshold: 0.9 });
    expect(b!.raw).toBeCloseTo(-2, 12);
    expect(b!.score).toBeCloseTo(0, 10);
    // Summed raw (−0.22), null (−4) and perfect (4), normalised once: 100 × 3.78 / 8.
    expect(loco.raw).toBeCloseTo(-0.22, 12);
    expect(loco.nullScore).toBe(-4);
    expect(loco.perfect).toBe(4);
    expect(loco.score).toBeCloseTo(47.25, 10);
  });

  it('charges a window-less held-out category its false positives and gives it no normalised score', () => {
    const C = [file('C/c1.csv', 'C', { 30: 0.95 }, [])];
    const loco = leaveOneCategoryOut([...A, ...B, ...C], standard);
    const c = loco.categories.find((r) => r.category === 'C')!;
    expect(c).toMatchObject({ windows: 0, score: null, threshold: 0.5 });
    expect(c.raw).toBeCloseTo(-0.11, 12);
    // A + C for B: 0.9 beats 0.95 (A missed) and 0.5 (A's FPs), so B is still missed.
    expect(loco.categories.find((r) => r.category === 'B')!.threshold).toBe(0.9);
    expect(loco.raw).toBeCloseTo(1.78 - 2 - 0.11, 12);
    expect(loco.score).toBeCloseTo((100 * (1.78 - 2 - 0.11 + 4)) / 8, 10);
    // Trained on C alone the best is to detect nothing, which scores the held-out windows as the null detector.
    const held = heldOutScore(C, A, standard);
    expect(held.threshold).toBe(Number.POSITIVE_INFINITY);
    expect(held.raw).toBe(-2);
  });

  it('chooses a candidate configuration on the training categories only; ties go to the earlier one', () => {
    // Candidate 0 adds a 0.5 false positive to B's files; candidate 1 is clean everywhere.
    const noisy = [...A, file('B/b1.csv', 'B', { 50: 0.5, 20: 0.5 }), file('B/b2.csv', 'B', { 50: 0.5, 20: 0.5 })];
    const clean = [1, 2].map((k) => file(`A/a${k}.csv`, 'A', { 50: 0.9 })).concat([1, 2].map((k) => file(`B/b${k}.csv`, 'B', { 50: 0.9 })));
    const loco = locoSelect([noisy, clean], standard);
    const [a, b] = loco.categories;
    // A held out: on B, clean (raw 2) beats noisy (1.78), so A is scored with clean at 0.9: +2.
    expect(a).toMatchObject({ candidate: 1, threshold: 0.9, raw: 2 });
    // B held out: on A both reach raw 2 at 0.9: the tie keeps candidate 0, whose B misses at 0.9,
    // although candidate 1 would have caught it: the held-out files never vote.
    expect(b).toMatchObject({ candidate: 0, threshold: 0.9, raw: -2 });
    expect(loco.score).toBeCloseTo(50, 10);
  });

  it('own-threshold protocol: the configuration is chosen on the training files, the threshold on the test files', () => {
    const noisy = [...A, file('B/b1.csv', 'B', { 50: 0.5, 20: 0.5 }), file('B/b2.csv', 'B', { 50: 0.5, 20: 0.5 })];
    const clean = [1, 2].map((k) => file(`A/a${k}.csv`, 'A', { 50: 0.9 })).concat([1, 2].map((k) => file(`B/b${k}.csv`, 'B', { 50: 0.9 })));
    const trainOnA = (i: number): boolean => noisy[i]!.category === 'A';
    // Transfer: A's threshold 0.9 (a tie between the candidates keeps 0) misses both of B's windows.
    expect(heldOutSelect([noisy, clean], trainOnA, standard)).toMatchObject({ candidate: 0, threshold: 0.9, raw: -2 });
    // Own threshold: still candidate 0 (chosen on A), but B is scored at its own best, 0.5: 2 × (1 − 0.11).
    const own = heldOutSelectOwnThreshold([noisy, clean], trainOnA, standard);
    expect(own).toMatchObject({ candidate: 0, threshold: 0.5, windows: 2 });
    expect(own.raw).toBeCloseTo(1.78, 12);
    // One candidate: the test half's in-sample score, whatever the training half holds.
    const alone = halfSplits([...A, ...B], standard, 4, 3, 'own');
    for (const s of alone.scores) expect(s).toBeCloseTo(97.25, 10);
  });

  it('stratifies half-splits by category: floor or ceil of half of each category trains', () => {
    const files: CategorisedFile[] = [];
    for (const [c, n] of [
      ['x', 2],
      ['y', 3],
      ['z', 4],
    ] as const) {
      for (let k = 0; k < n; k++) files.push(file(`${c}/${k}.csv`, c, {}));
    }
    const random = seededRandom(7);
    const sizesY = new Set<number>();
    for (let r = 0; r < 50; r++) {
      const train = stratifiedHalf(files, random);
      const count = (c: string): number => [...train].filter((i) => files[i]!.category === c).length;
      expect(count('x')).toBe(1);
      expect(count('z')).toBe(2);
      sizesY.add(count('y'));
    }
    expect([...sizesY].sort()).toEqual([1, 2]); // the odd category's extra file goes to either side
  });

  it('scores each half-split held out: identical files in each category give the hand-computed score every time', () => {
    // Each split trains on one A and one B file: 0.5 gives 0.89 + 1 = 1.89 against 0 at 0.9; the held-out
    // pair scores 1.89 too, normalised 100 × (1.89 + 2) / 4.
    const result = halfSplits([...A, ...B], standard, 5, 3);
    expect(result.scores).toHaveLength(5);
    for (const s of result.scores) expect(s).toBeCloseTo(97.25, 10);
    expect(result.sd).toBeCloseTo(0, 10);
    expect(result.chosen).toEqual([0, 0, 0, 0, 0]);
  });

  it('is deterministic given the seed, and different seeds give different splits', () => {
    // Files whose windows are caught at different scores, so different splits give different held-out scores.
    const files: CategorisedFile[] = [];
    for (let k = 0; k < 6; k++) files.push(file(`A/${k}.csv`, 'A', { 50: 0.3 + 0.1 * k, 20: 0.35 + 0.1 * k }));
    for (let k = 0; k < 5; k++) files.push(file(`B/${k}.csv`, 'B', { 52: 0.2 + 0.15 * k, 70: 0.6 - 0.1 * k }));
    const one = halfSplitSelect([files], standard, 20, 42);
    const again = halfSplitSelect([files], standard, 20, 42);
    expect(again).toEqual(one);
    const other = halfSplitSelect([files], standard, 20, 43);
    expect(other.scores).not.toEqual(one.scores);
    expect(one).toMatchObject({ splits: 20, seed: 42 });
    expect(new Set(one.scores.map((s) => s.toFixed(6))).size).toBeGreaterThan(1);
    expect(one.min).toBe(Math.min(...one.scores));
    expect(one.max).toBe(Math.max(...one.scores));
    // The train sets themselves repeat exactly for the same seed.
    const r1 = seededRandom(42);
    const r2 = seededRandom(42);
    for (let r = 0; r < 5; r++) expect([...stratifiedHalf(files, r1)]).toEqual([...stratifiedHalf(files, r2)]);
  });

  it('summarises with the sample standard deviation', () => {
    const s = summary([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect([s.min, s.max]).toEqual([1, 4]);
    expect(summary([5]).sd).toBe(0);
  });
});
