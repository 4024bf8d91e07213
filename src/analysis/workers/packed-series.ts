/**
 * Series as a worker task carries them: every point of every series in two Float64Arrays (times,
 * values) with one offset table, so the bulk of an analysis crosses to a worker thread as three
 * transferred buffers instead of being cloned number by number. Labels and query names are small and
 * travel as plain data. Float64 holds every JavaScript number exactly (NaN and ±Infinity included),
 * so an unpacked series is the series that was packed.
 */
import type { SeriesData } from '../types.js';

export interface PackedSeries {
  queries: string[];
  labels: Record<string, string>[];
  /** Series i owns points [offsets[i], offsets[i + 1]). */
  offsets: Uint32Array;
  times: Float64Array;
  values: Float64Array;
}

export function packSeries(series: readonly SeriesData[]): PackedSeries {
  let total = 0;
  for (const s of series) total += s.times.length;
  const offsets = new Uint32Array(series.length + 1);
  const times = new Float64Array(total);
  const values = new Float64Array(total);
  let at = 0;
  series.forEach((s, i) => {
    offsets[i] = at;
    times.set(s.times, at);
    // A series may hold fewer values than times only if it is malformed; the unpacked one is then NaN-padded.
    for (let j = 0; j < s.times.length; j++) values[at + j] = s.values[j] ?? Number.NaN;
    at += s.times.length;
  });
  offsets[series.length] = at;
  return { queries: series.map((s) => s.query), labels: series.map((s) => s.labels), offsets, times, values };
}

export function unpackSeries(packed: PackedSeries): SeriesData[] {
  return packed.queries.map((query, i) => {
    const from = packed.offsets[i]!;
    const to = packed.offsets[i + 1]!;
    return {
      query,
      labels: packed.labels[i]!,
      times: Array.from(packed.times.subarray(from, to)),
      values: Array.from(packed.values.subarray(from, to)),
    };
  });
}

/** The buffers to transfer (not copy) to the worker. */
export function transferablesOf(packed: PackedSeries): ArrayBuffer[] {
  return [packed.offsets.buffer as ArrayBuffer, packed.times.buffer as ArrayBuffer, packed.values.buffer as ArrayBuffer];
}
