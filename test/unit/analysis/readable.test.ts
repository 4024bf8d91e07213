/** Values and subjects as people read them (src/analysis/readable.ts) and on every metric evidence point. */
import { describe, expect, it } from 'vitest';
import { evidenceAt } from '../../../src/analysis/findings/series-utils.js';
import { formatValue, subjectOf, unitOf } from '../../../src/analysis/readable.js';

describe('formatValue', () => {
  it.each([
    [473_000_000, 'bytes', '451 MiB'],
    [2.5 * 1024 ** 3, 'bytes', '2.5 GiB'],
    [512, 'bytes', '512 B'],
    [1_300_000, 'bytes_per_second', '1.24 MiB/s'],
    [0.25, 'cores', '250 millicores'],
    [1.5, 'cores', '1.5 cores'],
    [0.9731, 'ratio', '97.3 %'],
    [12.345, 'requests_per_second', '12.3 req/s'],
    [0.1234, 'seconds', '123 ms'],
    [2.5, 'seconds', '2.5 s'],
    [3, 'count', '3'],
    [0, 'bytes', '0 B'],
    [Number.NaN, 'bytes', 'NaN'],
  ] as const)('%s %s → %s', (v, unit, shown) => {
    expect(formatValue(v, unit)).toBe(shown);
  });

  it('knows the catalog units', () => {
    expect(unitOf('memory_working_set')).toBe('bytes');
    expect(unitOf('cpu_usage')).toBe('cores');
    expect(unitOf('not_a_query')).toBeUndefined();
  });
});

describe('subjectOf and evidence', () => {
  it('names the object a series is about', () => {
    expect(subjectOf({ namespace: 'shop', pod: 'cart-1', container: 'cart' })).toBe('container cart of pod cart-1 in shop');
    expect(subjectOf({ namespace: 'data', persistentvolumeclaim: 'pg-0' })).toBe('PVC pg-0 in data');
    expect(subjectOf({ namespace: 'shop', service: 'api' })).toBe('service api in shop');
    expect(subjectOf({ namespace: 'shop', resource: 'limits.cpu' })).toBe('quota limits.cpu of namespace shop');
    expect(subjectOf({})).toBe('the workspace');
  });

  it('every metric evidence point keeps its selector and raw value and adds the readable value', () => {
    const e = evidenceAt(
      {
        query: 'memory_working_set',
        labels: { namespace: 'shop', pod: 'cart-1', container: 'cart' },
        times: [1_764_000_000],
        values: [473_000_000],
      },
      0,
      'at its limit',
    );
    expect(e).toEqual({
      series: 'memory_working_set{namespace="shop",pod="cart-1",container="cart"}',
      time: '2025-11-24T16:00:00Z',
      value: 473_000_000,
      why: 'at its limit',
      shown: '451 MiB — container cart of pod cart-1 in shop',
    });
  });
});
