/**
 * The global threshold search: one threshold for all files of a run, chosen among every distinct score
 * value (and "detect nothing") to maximise the summed raw score. One sort of all scored rows, then a
 * sweep from the highest score down, updating each window's best detection incrementally: O(n log n).
 */
import { rowValues, type Profile, type ScoredFile } from './scorer.js';

export interface ThresholdResult {
  /** Detections are rows with score ≥ threshold; +Infinity means "detect nothing". */
  threshold: number;
  raw: number;
  windows: number;
}

export function bestThreshold(files: readonly ScoredFile[], profile: Profile): ThresholdResult {
  const scores: number[] = [];
  const values: number[] = [];
  const windowIds: number[] = [];
  let windows = 0;
  for (const file of files) {
    const rv = rowValues(file.scores.length, file.windows, profile);
    for (let i = 0; i < rv.value.length; i++) {
      const s = file.scores[i + rv.first]!;
      if (Number.isNaN(s)) continue; // NaN ≥ threshold is false for every threshold: never a detection
      scores.push(s);
      values.push(rv.value[i]!);
      windowIds.push(rv.windowOf[i]! < 0 ? -1 : windows + rv.windowOf[i]!);
    }
    windows += rv.windows.length;
  }
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  const best = new Float64Array(windows).fill(-profile.fn);
  let raw = 0 - profile.fn * windows; // not -(…): no −0 when there are no windows
  let result: ThresholdResult = { threshold: Number.POSITIVE_INFINITY, raw, windows };
  for (let k = 0; k < order.length;) {
    const threshold = scores[order[k]!]!;
    // Every row with this exact score becomes a detection at once.
    while (k < order.length && scores[order[k]!] === threshold) {
      const j = order[k++]!;
      const w = windowIds[j]!;
      if (w < 0) raw += values[j]!;
      else if (values[j]! > best[w]!) {
        raw += values[j]! - best[w]!;
        best[w] = values[j]!;
      }
    }
    if (raw > result.raw + 1e-12) result = { threshold, raw, windows };
  }
  return result;
}
