import { describe, expect, it } from 'vitest';
import { bestThreshold, normalise, PROFILES, probationRows, rawFileScore, sigmoidA, type ScoredFile } from '../../../evals/nab/scorer.js';

const [standard, lowFP, lowFN] = PROFILES as [(typeof PROFILES)[0], (typeof PROFILES)[0], (typeof PROFILES)[0]];

/** A 100-row file (probation = 15 rows) with detections (score 1) at the given rows. */
function file(detections: number[], windows: [number, number][], n = 100): ScoredFile {
  const scores = new Float64Array(n);
  for (const d of detections) scores[d] = 1;
  return { name: 'f.csv', scores, windows };
}

describe('NAB scorer', () => {
  it('drops min(floor(0.15 N), 750) probation rows', () => {
    expect(probationRows(100)).toBe(15);
    expect(probationRows(4032)).toBe(604);
    expect(probationRows(15902)).toBe(750);
    // A detection inside probation is not scored: no FP cost, and the window still counts as missed.
    expect(rawFileScore(file([10], [[50, 59]]), 0.5, standard)).toBeCloseTo(-1, 12);
    // The same detection just after probation, before the first window, costs the full fp.
    expect(rawFileScore(file([15], [[50, 59]]), 0.5, standard)).toBeCloseTo(-1 - 0.11, 12);
  });

  it('weights a detection by the sigmoid: tp at the window start, small at its end', () => {
    expect(sigmoidA(0)).toBe(0);
    expect(sigmoidA(3.5)).toBe(-1);
    expect(rawFileScore(file([50], [[50, 59]]), 0.5, standard)).toBeCloseTo(1, 12);
    const atEnd = (2 / (1 + Math.exp(-5 / 10)) - 1) / (2 / (1 + Math.exp(-5)) - 1);
    expect(rawFileScore(file([59], [[50, 59]]), 0.5, standard)).toBeCloseTo(atEnd, 12);
    expect(atEnd).toBeGreaterThan(0);
    expect(atEnd).toBeLessThan(0.3);
    // Only the earliest detection in a window counts; later ones add nothing and cost nothing.
    expect(rawFileScore(file([52, 55, 59], [[50, 59]]), 0.5, standard)).toBeCloseTo(
      rawFileScore(file([52], [[50, 59]]), 0.5, standard),
      12,
    );
  });

  it('charges little just after a window, the full fp before the first window', () => {
    const justAfter = rawFileScore(file([50, 60], [[50, 59]]), 0.5, standard) - 1;
    expect(justAfter).toBeCloseTo(0.11 * sigmoidA(1 / 9), 12);
    expect(justAfter).toBeGreaterThan(-0.11 / 2);
    const farAfter = rawFileScore(file([50, 99], [[50, 59]]), 0.5, standard) - 1;
    expect(farAfter).toBeCloseTo(-0.11, 12); // (99−59)/9 > 3, so A = −1
    expect(rawFileScore(file([40, 50], [[50, 59]]), 0.5, standard) - 1).toBeCloseTo(-0.11, 12);
    // After a 1-row window the cost is the full fp.
    expect(rawFileScore(file([50, 51], [[50, 50]]), 0.5, standard) - 1).toBeCloseTo(-0.11, 12);
    // A file without windows: every scored detection is a full false positive.
    expect(rawFileScore(file([20, 30], []), 0.5, standard)).toBeCloseTo(-0.22, 12);
  });

  it('costs fn per missed window', () => {
    expect(
      rawFileScore(
        file(
          [],
          [
            [30, 39],
            [60, 69],
          ],
        ),
        0.5,
        standard,
      ),
    ).toBe(-2);
    expect(
      rawFileScore(
        file(
          [],
          [
            [30, 39],
            [60, 69],
          ],
        ),
        0.5,
        lowFN,
      ),
    ).toBe(-4);
    expect(
      rawFileScore(
        file(
          [30],
          [
            [30, 39],
            [60, 69],
          ],
        ),
        0.5,
        standard,
      ),
    ).toBeCloseTo(0, 12);
  });

  it('chooses the global threshold that maximises the summed raw score', () => {
    // File a: window [50, 59]; high score in the window, mid score before it (an FP).
    const a: ScoredFile = { name: 'a', scores: new Float64Array(100), windows: [[50, 59]] };
    (a.scores as Float64Array)[50] = 0.9;
    (a.scores as Float64Array)[20] = 0.5;
    // File b: window [70, 79] only reachable at 0.3; many 0.4 detections outside windows.
    const b: ScoredFile = { name: 'b', scores: new Float64Array(100), windows: [[70, 79]] };
    (b.scores as Float64Array)[70] = 0.3;
    for (let i = 20; i < 40; i++) (b.scores as Float64Array)[i] = 0.4;
    const candidates = [Infinity, 0.9, 0.5, 0.4, 0.3, 0];
    const brute = candidates.map((t) => rawFileScore(a, t, standard) + rawFileScore(b, t, standard));
    const result = bestThreshold([a, b], standard);
    expect(result.raw).toBeCloseTo(Math.max(...brute), 9);
    expect(result.threshold).toBe(0.9); // catching b's window costs 21 full FPs (−2.31) for +2: not worth it
    expect(result.windows).toBe(2);
    // With cheap enough FPs or costly misses the search goes lower.
    expect(bestThreshold([a, b], lowFN).threshold).toBe(0.3);
    // "Detect nothing" wins when every detection is a false positive.
    const c: ScoredFile = { name: 'c', scores: Float64Array.from({ length: 100 }, (_, i) => (i % 7) / 7), windows: [] };
    expect(bestThreshold([c], standard)).toEqual({ threshold: Infinity, raw: 0, windows: 0 });
  });

  it('normalises to 0 for the null detector and 100 for a perfect one', () => {
    expect(normalise(5, 5, standard).score).toBe(100);
    expect(normalise(-5, 5, standard).score).toBe(0);
    expect(normalise(0, 5, standard).score).toBe(50);
    expect(normalise(-10, 5, lowFN).score).toBe(0);
    expect(normalise(0, 5, lowFN).score).toBeCloseTo(66.667, 3);
  });

  it('uses the three profiles’ weights', () => {
    expect(PROFILES.map((p) => [p.name, p.tp, p.fp, p.fn])).toEqual([
      ['standard', 1, 0.11, 1],
      ['reward_low_FP_rate', 1, 0.22, 1],
      ['reward_low_FN_rate', 1, 0.11, 2],
    ]);
    const f = file(
      [20, 50],
      [
        [50, 59],
        [80, 89],
      ],
    );
    expect(rawFileScore(f, 0.5, standard)).toBeCloseTo(1 - 0.11 - 1, 12);
    expect(rawFileScore(f, 0.5, lowFP)).toBeCloseTo(1 - 0.22 - 1, 12);
    expect(rawFileScore(f, 0.5, lowFN)).toBeCloseTo(1 - 0.11 - 2, 12);
  });
});
