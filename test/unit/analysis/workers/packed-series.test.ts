import { describe, expect, it } from 'vitest';
import type { SeriesData } from '../../../../src/analysis/types.js';
import { packSeries, transferablesOf, unpackSeries } from '../../../../src/analysis/workers/packed-series.js';

describe('packed series', () => {
  it('unpack(pack(series)) is the series: every value exactly, special values and empty series included', () => {
    const series: SeriesData[] = [
      {
        query: 'cpu_usage',
        labels: { namespace: 'shop', pod: 'api-1' },
        times: [1_750_000_000, 1_750_000_060.5, 1_750_000_120],
        values: [0.1 + 0.2, Number.NaN, -0],
      },
      { query: 'memory_usage_vs_limits', labels: {}, times: [], values: [] },
      {
        query: 'http_latency_p95',
        labels: { service: 'api' },
        times: [1, 2, 3, 4],
        values: [Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE],
      },
    ];
    const packed = packSeries(series);
    expect(Array.from(packed.offsets)).toEqual([0, 3, 3, 7]);
    const back = unpackSeries(packed);
    expect(back).toEqual(series);
    expect(Object.is(back[0]!.values[2], -0)).toBe(true);
    expect(transferablesOf(packed)).toEqual([packed.offsets.buffer, packed.times.buffer, packed.values.buffer]);
  });

  it('a malformed series with fewer values than times is padded with NaN, not shifted into the next one', () => {
    const back = unpackSeries(
      packSeries([
        { query: 'a', labels: {}, times: [1, 2, 3], values: [5] },
        { query: 'b', labels: {}, times: [1], values: [7] },
      ]),
    );
    expect(back.map((s) => s.values)).toEqual([[5, Number.NaN, Number.NaN], [7]]);
  });
});
