/**
 * Honest scores for the forecaster: whatever is chosen among configurations (the 'auto' strategy,
 * a combination's members, a constant) is chosen on some files and scored on others.
 * - in-sample: chosen and scored on all files (what tuning on the dev half reports);
 * - leave-one-category-out: NAB groups files by subdirectory (server metrics, traffic, tweets, …);
 *   each category is scored with the configuration that is best on the other categories;
 * - repeated random half-splits: choose on a random half of the files, score on the other half.
 * The choice rule is the lowest median MASE; coverage is reported, not optimised. Pure and
 * deterministic (seeded splits).
 */
import { median, seededRandom } from '../../src/analytics/forecast/stats.js';
import type { FileResult } from './report.js';
import type { Variant } from './variants.js';

export interface Score {
  /** Median per-file MASE (files with an undefined MASE skipped). */
  medianMase: number;
  /** Mean per-file coverage of the interval. */
  coverage: number;
  files: number;
}

export interface HeldOutScore extends Score {
  category: string;
  /** Configuration chosen on the other categories. */
  choice: Variant;
}

export interface CvReport {
  candidates: Variant[];
  inSample: Score & { choice: Variant };
  loco: HeldOutScore[];
  /** All held-out files of the leave-one-category-out rounds together. */
  locoPooled: Score;
  splits: {
    count: number;
    /** Mean and standard deviation over splits of the held-out half's median MASE. */
    meanMedianMase: number;
    sdMedianMase: number;
    meanCoverage: number;
    /** How often each configuration was chosen. */
    choices: Partial<Record<Variant, number>>;
  };
}

/** NAB category = the first path segment. */
export function categoryOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '.' : file.slice(0, slash);
}

/** Scores one configuration on files. */
export function scoreOn(files: readonly FileResult[], variant: Variant): Score {
  const mases = files.map((f) => f.scores[variant]?.mase ?? Number.NaN).filter(Number.isFinite);
  const cov = files.map((f) => f.scores[variant]?.coverage ?? Number.NaN).filter(Number.isFinite);
  return {
    medianMase: median(mases),
    coverage: cov.length > 0 ? cov.reduce((a, b) => a + b, 0) / cov.length : Number.NaN,
    files: mases.length,
  };
}

/** The candidate with the lowest median MASE on `files` (ties: the earlier candidate). */
export function choose(files: readonly FileResult[], candidates: readonly Variant[]): Variant {
  let best = candidates[0]!;
  let bestScore = Infinity;
  for (const c of candidates) {
    const m = scoreOn(files, c).medianMase;
    if (m < bestScore) {
      bestScore = m;
      best = c;
    }
  }
  return best;
}

/** Scores every file with the configuration chosen on `train` and returns the held-out files' per-file values. */
function heldOut(
  train: readonly FileResult[],
  test: readonly FileResult[],
  candidates: readonly Variant[],
): { choice: Variant; mase: number[]; coverage: number[] } {
  const choice = choose(train, candidates);
  return {
    choice,
    mase: test.map((f) => f.scores[choice]?.mase ?? Number.NaN).filter(Number.isFinite),
    coverage: test.map((f) => f.scores[choice]?.coverage ?? Number.NaN).filter(Number.isFinite),
  };
}

const meanOf = (xs: number[]): number => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

export function crossValidate(files: readonly FileResult[], candidates: readonly Variant[], splitCount = 20, seed = 15): CvReport {
  const inSampleChoice = choose(files, candidates);
  const categories = [...new Set(files.map((f) => categoryOf(f.file)))].sort();
  const loco: HeldOutScore[] = [];
  const pooledMase: number[] = [];
  const pooledCoverage: number[] = [];
  for (const category of categories) {
    const test = files.filter((f) => categoryOf(f.file) === category);
    const train = files.filter((f) => categoryOf(f.file) !== category);
    const r = heldOut(train, test, candidates);
    pooledMase.push(...r.mase);
    pooledCoverage.push(...r.coverage);
    loco.push({ category, choice: r.choice, medianMase: median(r.mase), coverage: meanOf(r.coverage), files: r.mase.length });
  }
  const random = seededRandom(seed);
  const medians: number[] = [];
  const coverages: number[] = [];
  const choices: CvReport['splits']['choices'] = {};
  for (let s = 0; s < splitCount; s++) {
    const order = files.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const half = Math.floor(order.length / 2);
    const r = heldOut(
      order.slice(0, half).map((i) => files[i]!),
      order.slice(half).map((i) => files[i]!),
      candidates,
    );
    medians.push(median(r.mase));
    coverages.push(meanOf(r.coverage));
    choices[r.choice] = (choices[r.choice] ?? 0) + 1;
  }
  const m = meanOf(medians);
  const sd = Math.sqrt(meanOf(medians.map((x) => (x - m) ** 2)));
  return {
    candidates: [...candidates],
    inSample: { choice: inSampleChoice, ...scoreOn(files, inSampleChoice) },
    loco,
    locoPooled: { medianMase: median(pooledMase), coverage: meanOf(pooledCoverage), files: pooledMase.length },
    splits: { count: splitCount, meanMedianMase: m, sdMedianMase: sd, meanCoverage: meanOf(coverages), choices },
  };
}

const fmt = (x: number, d = 3): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

/** Markdown (also readable on the console). */
export function formatCv(cv: CvReport): string {
  const out: string[] = [];
  out.push(`Cross-validated choice among ${cv.candidates.length} configurations (${cv.candidates.join(', ')}), by median MASE:`, '');
  out.push('| scored on | chosen | median MASE | coverage | files |', '|---|---|---|---|---|');
  out.push(
    `| in-sample (all files) | ${cv.inSample.choice} | ${fmt(cv.inSample.medianMase)} | ${fmt(cv.inSample.coverage, 2)} | ${cv.inSample.files} |`,
  );
  for (const l of cv.loco) out.push(`| held-out ${l.category} | ${l.choice} | ${fmt(l.medianMase)} | ${fmt(l.coverage, 2)} | ${l.files} |`);
  out.push(
    `| **leave-one-category-out, pooled** | — | **${fmt(cv.locoPooled.medianMase)}** | ${fmt(cv.locoPooled.coverage, 2)} | ${cv.locoPooled.files} |`,
  );
  const choices = Object.entries(cv.splits.choices)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  out.push(
    `| ${cv.splits.count} random half-splits (held-out half) | ${choices} | ${fmt(cv.splits.meanMedianMase)} ± ${fmt(cv.splits.sdMedianMase)} | ${fmt(cv.splits.meanCoverage, 2)} | — |`,
  );
  return out.join('\n');
}
