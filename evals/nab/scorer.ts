/**
 * NAB scoring exactly as /work/shared/datasets/nab-dev/README.md ("The score, precisely") defines it.
 * Pure functions over row indices: the runner maps label timestamps to rows and passes scores in.
 */

export interface Profile {
  name: string;
  tp: number;
  fp: number;
  fn: number;
}

export const PROFILES: readonly Profile[] = [
  { name: 'standard', tp: 1, fp: 0.11, fn: 1 },
  { name: 'reward_low_FP_rate', tp: 1, fp: 0.22, fn: 1 },
  { name: 'reward_low_FN_rate', tp: 1, fp: 0.11, fn: 2 },
];

/** An inclusive row range [start, end] in the file's original row numbering. */
export type Window = readonly [number, number];

/** One file to score: its anomaly scores (one per row) and its label windows. */
export interface ScoredFile {
  name: string;
  scores: ArrayLike<number>;
  windows: readonly Window[];
}

/** A(x) = 2/(1+e^(5x)) − 1, and −1 for x > 3. */
export function sigmoidA(x: number): number {
  if (x > 3) return -1;
  return 2 / (1 + Math.exp(5 * x)) - 1;
}

export function probationRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/**
 * The value of a detection at each scored row, and the window it belongs to (−1 outside windows).
 * Probation rows are dropped first; a window that loses rows to probation is clipped to its scored
 * rows, and one left with no rows is ignored (no dev window touches probation, so this is moot there).
 */
export interface RowValues {
  /** First scored row (= probation length). */
  first: number;
  /** Per scored row: the value of a detection there (positive in a window, negative outside). */
  value: Float64Array;
  /** Per scored row: index into `windows`, or −1. */
  windowOf: Int32Array;
  /** Windows after clipping, in scored-row coordinates. */
  windows: Window[];
}

export function rowValues(n: number, windows: readonly Window[], profile: Profile): RowValues {
  const first = probationRows(n);
  const m = n - first;
  const clipped: Window[] = [];
  for (const [s, e] of [...windows].sort((a, b) => a[0] - b[0])) {
    const cs = Math.max(s, first) - first;
    const ce = Math.min(e, n - 1) - first;
    if (ce >= cs) clipped.push([cs, ce]);
  }
  const value = new Float64Array(m);
  const windowOf = new Int32Array(m).fill(-1);
  let prev: Window | undefined;
  let w = 0;
  for (let i = 0; i < m; i++) {
    const cur = clipped[w];
    if (cur && i >= cur[0] && i <= cur[1]) {
      const width = cur[1] - cur[0] + 1;
      value[i] = (profile.tp * sigmoidA(-(cur[1] - i + 1) / width)) / sigmoidA(-1);
      windowOf[i] = w;
      if (i === cur[1]) {
        prev = cur;
        w++;
      }
    } else if (prev === undefined) {
      value[i] = -profile.fp;
    } else {
      const width = prev[1] - prev[0] + 1;
      value[i] = width === 1 ? -profile.fp : profile.fp * sigmoidA((i - prev[1]) / (width - 1));
    }
  }
  return { first, value, windowOf, windows: clipped };
}

/** Raw score of one file at one threshold (detections are rows with score ≥ threshold). */
export function rawFileScore(file: ScoredFile, threshold: number, profile: Profile): number {
  const rv = rowValues(file.scores.length, file.windows, profile);
  const best = new Float64Array(rv.windows.length).fill(Number.NEGATIVE_INFINITY);
  let raw = 0;
  for (let i = 0; i < rv.value.length; i++) {
    if (!(file.scores[i + rv.first]! >= threshold)) continue;
    const w = rv.windowOf[i]!;
    if (w < 0) raw += rv.value[i]!;
    else if (rv.value[i]! > best[w]!) best[w] = rv.value[i]!;
  }
  for (const b of best) raw += b === Number.NEGATIVE_INFINITY ? -profile.fn : b;
  return raw;
}

export interface Normalised {
  raw: number;
  perfect: number;
  nullScore: number;
  score: number;
  windows: number;
}

export function normalise(raw: number, windows: number, profile: Profile): Normalised {
  const perfect = profile.tp * windows;
  const nullScore = -profile.fn * windows;
  const score = perfect === nullScore ? 0 : (100 * (raw - nullScore)) / (perfect - nullScore);
  return { raw, perfect, nullScore, score, windows };
}

export { bestThreshold } from './threshold.js';
export type { ThresholdResult } from './threshold.js';
