/**
 * The one input shape shared by forecasting, capacity and right-sizing: a metric series as
 * Prometheus returns it (`[unixMs, value]` pairs) or as parallel arrays (what `parseSeriesCsv` gives).
 */

/** `[unixMs, value]` pairs, or parallel `times` (Unix ms) / `values` arrays of equal length. */
export type SeriesInput =
  ReadonlyArray<readonly [number, number]> | { readonly times: ArrayLike<number>; readonly values: ArrayLike<number> };

/** A series sorted by time with non-finite timestamps removed. Values may still be NaN (missing). */
export interface TimedValues {
  times: Float64Array;
  values: Float64Array;
}

/**
 * Normalises any {@link SeriesInput} into time-sorted parallel arrays. Rows whose timestamp is not
 * finite are dropped; non-finite values become NaN so callers can treat them as missing.
 * The sort is stable, so repeated timestamps keep their input order.
 */
export function toTimedValues(input: SeriesInput): TimedValues {
  let rawTimes: ArrayLike<number>;
  let rawValues: ArrayLike<number>;
  if (isPairs(input)) {
    rawTimes = input.map((p) => p[0]);
    rawValues = input.map((p) => p[1]);
  } else {
    if (input.times.length !== input.values.length) {
      throw new RangeError(`times (${input.times.length}) and values (${input.values.length}) differ in length`);
    }
    rawTimes = input.times;
    rawValues = input.values;
  }
  const order: number[] = [];
  let sorted = true;
  let previous = -Infinity;
  for (let i = 0; i < rawTimes.length; i++) {
    const t = rawTimes[i]!;
    if (!Number.isFinite(t)) continue;
    if (t < previous) sorted = false;
    previous = t;
    order.push(i);
  }
  if (!sorted) order.sort((a, b) => rawTimes[a]! - rawTimes[b]! || a - b);
  const times = new Float64Array(order.length);
  const values = new Float64Array(order.length);
  order.forEach((src, dst) => {
    times[dst] = rawTimes[src]!;
    const v = rawValues[src]!;
    values[dst] = Number.isFinite(v) ? v : Number.NaN;
  });
  return { times, values };
}

function isPairs(input: SeriesInput): input is ReadonlyArray<readonly [number, number]> {
  return Array.isArray(input);
}
