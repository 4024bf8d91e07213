import { describe, expect, it } from 'vitest';
import { catalogPromQL, QUERY_CATALOG } from '../../../src/metrics/catalog/catalog.js';
import { bucketQuantile, evaluateAt, SeriesIndex } from '../../../src/metrics/embedded/evaluate.js';
import { normalisePromQL } from '../../../src/metrics/promql/normalise.js';
import { enforceTenant } from '../../../src/metrics/promql/tenant-enforcer.js';
import { checkAndAlignRange, parseDuration, parseTime } from '../../../src/metrics/query-window.js';
import type { RawSeries } from '../../../src/metrics/scenarios/index.js';

const series = (metric: string, labels: Record<string, string>, values: number[], stepMs = 60_000): RawSeries => ({
  metric,
  type: 'counter',
  help: '',
  labels,
  times: Float64Array.from(values.map((_, i) => i * stepMs)),
  values: Float64Array.from(values),
});

describe('catalog', () => {
  it('every entry renders to PromQL that parses and can be confined', () => {
    for (const name of QUERY_CATALOG.keys())
      expect(() => enforceTenant(catalogPromQL(name), { label: 'workspace_id', workspaceId: 'w' })).not.toThrow();
  });
  it('filters become equality matchers on every selector', () => {
    expect(catalogPromQL('cpu_throttling', { namespace: 'shop' })).toBe(
      'sum by (namespace, pod, container) (rate(container_cpu_cfs_throttled_periods_total{namespace="shop"}[5m])) / on(namespace, pod, container) sum by (namespace, pod, container) (rate(container_cpu_cfs_periods_total{namespace="shop"}[5m]))',
    );
  });
});

describe('in-process evaluation', () => {
  it('rate() handles counter resets; sum by groups; ratio keeps the on() labels', () => {
    const index = new SeriesIndex([
      series('c_total', { namespace: 'a', pod: 'p1' }, [0, 60, 120, 30, 90, 150]), // reset at index 3
      series('c_total', { namespace: 'a', pod: 'p2' }, [0, 120, 240, 360, 480, 600]),
      series('g', { namespace: 'a', pod: 'p1' }, [2, 2, 2, 2, 2, 2]),
    ]);
    const t = 5 * 60_000;
    const rate = evaluateAt({ op: 'rate', metric: 'c_total', matchers: [], windowSeconds: 300 }, index, t);
    // (t-5m, t] holds samples 1..5: increases 60, reset to 30 (counts 30), 60, 60 over 240 s
    expect(rate.find((s) => s.labels.pod === 'p1')!.value).toBeCloseTo(210 / 240, 9);
    const sum = evaluateAt(
      { op: 'sum', by: ['namespace'], expr: { op: 'rate', metric: 'c_total', matchers: [], windowSeconds: 300 } },
      index,
      t,
    );
    expect(sum).toEqual([{ labels: { namespace: 'a' }, value: expect.closeTo(210 / 240 + 480 / 240, 9) }]);
    const ratio = evaluateAt(
      {
        op: 'ratio',
        on: ['pod'],
        numerator: { op: 'rate', metric: 'c_total', matchers: [{ label: 'pod', op: '=', value: 'p1' }], windowSeconds: 300 },
        denominator: { op: 'select', metric: 'g', matchers: [] },
      },
      index,
      t,
    );
    expect(ratio).toEqual([{ labels: { pod: 'p1' }, value: expect.closeTo(210 / 240 / 2, 9) }]);
  });

  it('plain selectors go stale after 5 minutes', () => {
    const index = new SeriesIndex([series('g', {}, [1, 1])]);
    expect(evaluateAt({ op: 'select', metric: 'g', matchers: [] }, index, 60_000 + 299_000)).toHaveLength(1);
    expect(evaluateAt({ op: 'select', metric: 'g', matchers: [] }, index, 60_000 + 301_000)).toHaveLength(0);
  });

  it('histogram_quantile interpolates like Prometheus', () => {
    const buckets = [
      { le: 0.1, count: 50 },
      { le: 0.5, count: 90 },
      { le: 1, count: 100 },
      { le: Infinity, count: 100 },
    ];
    expect(bucketQuantile(0.5, buckets)).toBeCloseTo(0.1, 9);
    expect(bucketQuantile(0.7, buckets)).toBeCloseTo(0.1 + 0.4 * (20 / 40), 9);
    expect(bucketQuantile(0.95, buckets)).toBeCloseTo(0.5 + 0.5 * (5 / 10), 9);
    expect(
      bucketQuantile(0.99, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
  });
});

describe('normalisePromQL', () => {
  it('ignores spacing and comments but keeps string literals exact', () => {
    expect(normalisePromQL('sum  by (a) ( rate(x{b = "c"}[5m]) ) # note')).toBe(normalisePromQL('sum by(a)(rate(x{b="c"}[5m]))'));
    expect(normalisePromQL('x{pod="a  b"}')).not.toBe(normalisePromQL('x{pod="a b"}'));
    expect(normalisePromQL('x{pod="a , b"}')).toBe('x{pod="a , b"}');
    expect(normalisePromQL('a or b')).toBe('a or b');
  });
});

describe('query window', () => {
  const limits = { maxRangeSeconds: 86_400, maxPointsPerSeries: 11_000, minStepSeconds: 5 };
  it('parses RFC 3339, Unix seconds and durations', () => {
    expect(parseTime('2026-01-01T00:00:00Z', 't')).toBe(1767225600);
    expect(parseTime('1767225600.5', 't')).toBe(1767225600.5);
    expect(parseDuration('1h30m', 's')).toBe(5400);
    expect(parseDuration('250ms', 's')).toBe(0.25);
    expect(() => parseDuration('1h30', 's')).toThrow(/positive duration/);
  });
  it('aligns to the step and enforces the 11,000 point limit exactly', () => {
    expect(checkAndAlignRange({ start: 1003, end: 1999, step: 60 }, limits)).toEqual({ start: 960, end: 1980, step: 60 });
    expect(() => checkAndAlignRange({ start: 0, end: 10_999 * 5, step: 5 }, limits)).not.toThrow();
    expect(() => checkAndAlignRange({ start: 0, end: 11_000 * 5, step: 5 }, limits)).toThrow(/11001 points per series/);
  });
});
