import { describe, expect, it } from 'vitest';
import { clusterRows, fileFalsePositives, fpMarkdown, profileFalsePositives, totals, type StudyFile } from '../../../evals/nab/fp-study.js';
import { PROFILES, sigmoidA } from '../../../evals/nab/scorer.js';

const standard = PROFILES[0]!;

/**
 * 6,000 rows: probation is 750 rows (the cap), so rows 750–899 are scored but still in the first 15 %.
 * One window [3000, 3099] (width 100). Detections: 100 (probation), 800 and 802 (early, one episode),
 * 2000, 3000 (in the window: not a false positive), 3250 (151 rows after the window: within 2 widths, not 1)
 * and 3400 (301 rows after: elsewhere, full cost).
 */
function study(): StudyFile {
  const scores = new Float64Array(6000);
  const hits: Record<number, number> = { 100: 0.8, 800: 0.5, 802: 0.7, 2000: 0.6, 3000: 0.9, 3250: 0.55, 3400: 0.65 };
  for (const [r, s] of Object.entries(hits)) scores[Number(r)] = s;
  const timestamps = Array.from({ length: 6000 }, (_, i) => `t${i}`);
  return { name: 'cat/f.csv', category: 'cat', scores, windows: [[3000, 3099]], timestamps };
}

describe('NAB false-positive study', () => {
  it('clusters rows at most `gap` apart into episodes', () => {
    expect(clusterRows([1, 2, 5, 20, 21], 3)).toEqual([
      [1, 5, 3],
      [20, 21, 2],
    ]);
    expect(clusterRows([1, 2, 5], 2)).toEqual([
      [1, 2, 2],
      [5, 5, 1],
    ]);
    expect(clusterRows([], 3)).toEqual([]);
  });

  it('counts FP rows outside windows and splits them by warm-up, after-window and position', () => {
    const fp = fileFalsePositives(study(), 0.5, standard, 3);
    expect(fp.fpRows).toBe(5); // 800, 802, 2000, 3250, 3400
    expect(fp.probationDetections).toBe(1);
    expect([fp.early, fp.late]).toEqual([2, 3]);
    expect([fp.afterWindow, fp.elsewhere]).toEqual([1, 4]);
    expect(fp.deciles).toEqual([0, 2, 0, 1, 0, 2, 0, 0, 0, 0]);
    expect(fp.episodes.map((e) => [e.startRow, e.endRow, e.length, e.fpRows, e.startTime, e.afterWindow])).toEqual([
      [800, 802, 3, 2, 't800', false],
      [2000, 2000, 1, 1, 't2000', false],
      [3250, 3250, 1, 1, 't3250', true],
      [3400, 3400, 1, 1, 't3400', false],
    ]);
    expect(fp.episodes[0]!.maxScore).toBe(0.7);
    const after = 0.11 * sigmoidA((3250 - 3099) / 99);
    expect(fp.fpCost).toBeCloseTo(-0.11 * 4 + after, 12);
    // One alarm per episode would drop row 802's cost only.
    expect(fp.firstOfEpisodeCost).toBeCloseTo(-0.11 * 3 + after, 12);
  });

  it('follows the threshold: a higher one leaves only the larger scores', () => {
    const fp = fileFalsePositives(study(), 0.62, standard, 3);
    expect(fp.episodes.map((e) => e.startRow)).toEqual([802, 3400]);
    expect(fp.probationDetections).toBe(1);
  });

  it('totals across files and writes the top files with their episodes', () => {
    const quiet: StudyFile = { name: 'cat/quiet.csv', category: 'cat', scores: new Float64Array(200), windows: [] };
    const p = profileFalsePositives([quiet, study()], 0.5, standard, 3);
    const t = totals(p.files);
    expect([t.fpRows, t.episodes, t.early, t.afterWindow, t.probationDetections]).toEqual([5, 4, 2, 1, 1]);
    const md = fpMarkdown('test', [p], 3);
    expect(md).toContain('| cat/f.csv | 6000 | 5 | 4 | 2 / 3 | 1 / 4 |');
    expect(md).toContain('| t800 | 800–802 | 3 | 2 | 0.700 |  |');
    expect(md.indexOf('cat/f.csv')).toBeLessThan(md.indexOf('cat/quiet.csv'));
  });
});
