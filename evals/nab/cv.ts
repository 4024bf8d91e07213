/**
 * Cross-validated NAB scores: the global threshold is chosen on some files and applied to others, so the
 * number says how well the detector (and its one tuned threshold) carries over to files nobody chose on.
 * The detector scores are computed once per file; only the threshold is re-chosen, which is cheap.
 *
 * Held-out raw scores are summed over all held-out files and normalised once with NAB's formula
 * (100 × (raw − null) / (perfect − null)), exactly as the in-sample score is: per-category normalised
 * scores are shown too, but averaging them would weight a 3-window category like a 15-window one.
 */
import { bestThreshold, normalise, rawFileScore, type Profile, type ScoredFile } from './scorer.js';

export interface CategorisedFile extends ScoredFile {
  category: string;
}

export interface HeldOut {
  /** Threshold chosen on the training files (on the test files in the own-threshold protocol; +Infinity = detect nothing). */
  threshold: number;
  /** Summed raw score of the held-out files at that threshold. */
  raw: number;
  /** Label windows among the held-out files (null = −fn·windows, perfect = tp·windows). */
  windows: number;
  /** Index of the candidate configuration chosen on the training files (0 when there is only one). */
  candidate: number;
}

/**
 * Chooses the candidate and threshold on the training files and scores the test files with them. Each
 * candidate is the same file list scored by a different detector configuration, so a tuned constant is
 * chosen the same honest way as the threshold. Ties go to the earlier candidate (put the simpler first).
 */
export function heldOutSelect(candidates: readonly (readonly ScoredFile[])[], isTrain: (i: number) => boolean, profile: Profile): HeldOut {
  let chosen = 0;
  let threshold = Number.POSITIVE_INFINITY;
  let bestRaw = Number.NEGATIVE_INFINITY;
  candidates.forEach((files, c) => {
    const fit = bestThreshold(
      files.filter((_, i) => isTrain(i)),
      profile,
    );
    if (fit.raw > bestRaw + 1e-12) {
      bestRaw = fit.raw;
      chosen = c;
      threshold = fit.threshold;
    }
  });
  let raw = 0;
  let windows = 0;
  candidates[chosen]!.forEach((f, i) => {
    if (isTrain(i)) return;
    raw += rawFileScore(f, threshold, profile);
    windows += f.windows.length;
  });
  return { threshold, raw, windows, candidate: chosen };
}

/**
 * The held-back half's protocol: the candidate is chosen on the training files (with its best threshold
 * there), and the test files are scored at the threshold that is best *for them*, as NAB scores any run and
 * as the held-back half was scored. Only the configuration carries over, not the threshold, so this is the
 * estimate of the held-back number; the threshold-transfer protocol (heldOutSelect) is the harsher,
 * product-like one (a service runs one fixed threshold on series it has never seen).
 */
export function heldOutSelectOwnThreshold(
  candidates: readonly (readonly ScoredFile[])[],
  isTrain: (i: number) => boolean,
  profile: Profile,
): HeldOut {
  const chosen = candidates.length === 1 ? 0 : heldOutSelect(candidates, isTrain, profile).candidate;
  const fit = bestThreshold(
    candidates[chosen]!.filter((_, i) => !isTrain(i)),
    profile,
  );
  return { threshold: fit.threshold, raw: fit.raw, windows: fit.windows, candidate: chosen };
}

/** Chooses the threshold on `train` and scores `test` with it. */
export function heldOutScore(train: readonly ScoredFile[], test: readonly ScoredFile[], profile: Profile): HeldOut {
  return heldOutSelect([[...train, ...test]], (i) => i < train.length, profile);
}

export interface LocoCategory extends HeldOut {
  category: string;
  files: number;
  /** Normalised held-out score of this category alone; null when it has no windows (raw is then its FP cost). */
  score: number | null;
}

export interface LocoResult {
  /** Held-out raw, null and perfect summed over all categories, normalised once. */
  score: number;
  raw: number;
  nullScore: number;
  perfect: number;
  categories: LocoCategory[];
}

/** Leave-one-category-out: each category is scored at the threshold chosen on all the others. */
export function leaveOneCategoryOut(files: readonly CategorisedFile[], profile: Profile): LocoResult {
  return locoSelect([files], profile);
}

/** Leave-one-category-out over several candidate configurations (see heldOutSelect). */
export function locoSelect(candidates: readonly (readonly CategorisedFile[])[], profile: Profile): LocoResult {
  const files = candidates[0]!;
  const categories = [...new Set(files.map((f) => f.category))].sort();
  const rows: LocoCategory[] = categories.map((category) => {
    const held = heldOutSelect(candidates, (i) => files[i]!.category !== category, profile);
    const score = held.windows > 0 ? normalise(held.raw, held.windows, profile).score : null;
    return { category, files: files.filter((f) => f.category === category).length, ...held, score };
  });
  const raw = rows.reduce((s, r) => s + r.raw, 0);
  const total = normalise(
    raw,
    rows.reduce((s, r) => s + r.windows, 0),
    profile,
  );
  return { score: total.score, raw, nullScore: total.nullScore, perfect: total.perfect, categories: rows };
}

/** mulberry32: a small seeded PRNG, so the same seed gives the same splits on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One random half split, stratified by category: each category's files are shuffled and halved; a
 * category with an odd count gives its extra file to a random side. Returns the indices of the
 * training half (the rest is the test half).
 */
export function stratifiedHalf(files: readonly CategorisedFile[], random: () => number): Set<number> {
  const byCategory = new Map<string, number[]>();
  files.forEach((f, i) => byCategory.set(f.category, [...(byCategory.get(f.category) ?? []), i]));
  const train = new Set<number>();
  for (const category of [...byCategory.keys()].sort()) {
    const idx = byCategory.get(category)!;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const take = idx.length % 2 === 0 ? idx.length / 2 : (idx.length - 1) / 2 + (random() < 0.5 ? 1 : 0);
    for (const i of idx.slice(0, take)) train.add(i);
  }
  return train;
}

export interface SplitResult {
  splits: number;
  seed: number;
  /** Normalised held-out score of each split, in split order. */
  scores: number[];
  /** Candidate chosen in each split (all 0 with one candidate). */
  chosen: number[];
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single split. */
  sd: number;
  min: number;
  max: number;
}

/**
 * Repeated random half-splits: for each split the threshold is chosen on one half and the other half is
 * scored with it. The splits depend only on the seed and the file order, so every profile (and every
 * detector run on the same files) sees the same splits.
 */
export function halfSplits(
  files: readonly CategorisedFile[],
  profile: Profile,
  splits: number,
  seed: number,
  threshold: 'transfer' | 'own' = 'transfer',
): SplitResult {
  return halfSplitSelect([files], profile, splits, seed, threshold);
}

/**
 * Repeated half-splits over several candidate configurations. `threshold`: 'transfer' scores the test half at
 * the threshold chosen on the training half (heldOutSelect), 'own' at the test half's own best threshold
 * (heldOutSelectOwnThreshold, the held-back half's protocol).
 */
export function halfSplitSelect(
  candidates: readonly (readonly CategorisedFile[])[],
  profile: Profile,
  splits: number,
  seed: number,
  threshold: 'transfer' | 'own' = 'transfer',
): SplitResult {
  const random = seededRandom(seed);
  const select = threshold === 'own' ? heldOutSelectOwnThreshold : heldOutSelect;
  const scores: number[] = [];
  const chosen: number[] = [];
  for (let r = 0; r < splits; r++) {
    const train = stratifiedHalf(candidates[0]!, random);
    const held = select(candidates, (i) => train.has(i), profile);
    scores.push(normalise(held.raw, held.windows, profile).score);
    chosen.push(held.candidate);
  }
  return { splits, seed, scores, chosen, ...summary(scores) };
}

export function summary(xs: readonly number[]): { mean: number; sd: number; min: number; max: number } {
  if (xs.length === 0) return { mean: Number.NaN, sd: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = xs.length < 2 ? 0 : Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}
