/**
 * The bounds of a metrics read as pure functions: the range is checked after it is aligned, times
 * lie within the lookback and not in the future, series windows default to the lookback, and a
 * PromQL expression cannot reach beyond the lookback with ranges, subqueries, offsets or `@`.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { catalogPromQL, QUERY_CATALOG } from '../../../src/metrics/catalog/catalog.js';
import { MetricsError } from '../../../src/metrics/metrics-error.js';
import { checkTimeReach, timeReach } from '../../../src/metrics/promql/time-reach.js';
import { checkAndAlignRange, parseDuration, parseTime } from '../../../src/metrics/query-window.js';
import {
  checkInstantTime,
  checkRangeWindow,
  checkSeriesCount,
  DEFAULT_READ_BOUNDS,
  seriesWindow,
} from '../../../src/metrics/read-bounds.js';

const bounds = DEFAULT_READ_BOUNDS;
const NOW = 1_800_000_000;
const DAY = 86_400;

/** The MetricsError a call throws (kind, limit, message), or a failure when it does not throw one. */
function refusal(call: () => unknown): { kind: string; limit?: unknown; message: string } {
  try {
    call();
  } catch (err) {
    if (err instanceof MetricsError) return { kind: err.kind, limit: err.details.limit, message: err.message };
    throw err;
  }
  throw new Error('expected a MetricsError');
}

describe('checkAndAlignRange: checked after alignment', () => {
  it('a step larger than the longest range is refused instead of aligning the start to 1970', () => {
    const step = parseDuration('99999999999999y', 'step');
    expect(refusal(() => checkAndAlignRange({ start: NOW - 3600, end: NOW, step }, bounds))).toMatchObject({
      kind: 'limit_exceeded',
      limit: 'step',
      message: expect.stringMatching(/longer than the longest range/),
    });
  });

  it('a range within the limit before alignment but over it after is refused', () => {
    const step = 3 * DAY;
    const start = Math.floor(NOW / step) * step + step - 1; // aligning moves it almost one step down
    const end = start + bounds.maxRangeSeconds - 10;
    expect(refusal(() => checkAndAlignRange({ start, end, step }, bounds))).toMatchObject({ kind: 'limit_exceeded', limit: 'range' });
  });

  it('keeps the existing limits: minimum step, points per series, order', () => {
    expect(refusal(() => checkAndAlignRange({ start: NOW - 60, end: NOW, step: 0.001 }, bounds))).toMatchObject({
      limit: 'step',
      message: expect.stringMatching(/below the minimum/),
    });
    expect(refusal(() => checkAndAlignRange({ start: NOW - DAY, end: NOW, step: 5 }, bounds))).toMatchObject({
      limit: 'points_per_series',
    });
    expect(refusal(() => checkAndAlignRange({ start: NOW, end: NOW - 60, step: 60 }, bounds))).toMatchObject({ kind: 'invalid_query' });
    expect(checkAndAlignRange({ start: NOW - 3601, end: NOW, step: 60 }, bounds)).toEqual({ start: NOW - 3660, end: NOW, step: 60 });
  });

  it('refuses non-finite numbers (tools pass numbers, not strings)', () => {
    expect(refusal(() => checkAndAlignRange({ start: NOW, end: Infinity, step: 60 }, bounds))).toMatchObject({ kind: 'invalid_query' });
    expect(refusal(() => checkAndAlignRange({ start: NOW - 60, end: NOW, step: Number.NaN }, bounds))).toMatchObject({
      kind: 'invalid_query',
    });
  });
});

describe('times', () => {
  it('parseTime takes RFC 3339 or Unix seconds only (V8 reads "-1" as 2001)', () => {
    expect(parseTime('2026-01-01T00:00:00Z', 't')).toBe(1767225600);
    for (const bad of ['-1', '1e308', '12 June', 'now-90d'])
      expect(refusal(() => parseTime(bad, 't'))).toMatchObject({ kind: 'invalid_query' });
  });

  it('an instant time must lie within the lookback and at most 5 minutes ahead', () => {
    expect(() => checkInstantTime(NOW - bounds.maxLookbackSeconds + 1, NOW, bounds)).not.toThrow();
    expect(() => checkInstantTime(NOW + 299, NOW, bounds)).not.toThrow();
    expect(refusal(() => checkInstantTime(NOW - 90 * DAY, NOW, bounds))).toMatchObject({
      kind: 'limit_exceeded',
      limit: 'lookback',
      message: expect.stringMatching(/older than the lookback limit of 15 d/),
    });
    expect(refusal(() => checkInstantTime(NOW + DAY, NOW, bounds))).toMatchObject({ limit: 'future' });
    expect(refusal(() => checkInstantTime(1e308, NOW, bounds))).toMatchObject({
      limit: 'future',
      message: expect.stringContaining('1e+308 s'),
    });
  });

  it('a range is checked for its shape and for where it lies', () => {
    expect(() => checkRangeWindow({ start: NOW - 7 * DAY, end: NOW, step: 60 }, NOW, bounds)).not.toThrow();
    expect(refusal(() => checkRangeWindow({ start: NOW - 16 * DAY, end: NOW - 15.5 * DAY, step: 60 }, NOW, bounds))).toMatchObject({
      limit: 'lookback',
    });
    expect(refusal(() => checkRangeWindow({ start: 0, end: 0, step: 1e14 }, NOW, bounds))).toMatchObject({ limit: 'step' });
    expect(refusal(() => checkRangeWindow({ start: NOW, end: NOW + DAY, step: 60 }, NOW, bounds))).toMatchObject({ limit: 'future' });
  });

  it('series windows default to the lookback and refuse ends outside it', () => {
    expect(seriesWindow(undefined, undefined, NOW, bounds)).toEqual({ start: NOW - bounds.maxLookbackSeconds, end: NOW });
    expect(refusal(() => seriesWindow(0, undefined, NOW, bounds))).toMatchObject({ limit: 'lookback' });
    expect(refusal(() => seriesWindow(undefined, 1e15, NOW, bounds))).toMatchObject({ limit: 'future' });
    expect(refusal(() => seriesWindow(NOW - 60, NOW - 120, NOW, bounds))).toMatchObject({ kind: 'invalid_query' });
  });

  it('series counts over the bound are refused naming the limit', () => {
    expect(() => checkSeriesCount(bounds.maxSeries, bounds)).not.toThrow();
    expect(refusal(() => checkSeriesCount(bounds.maxSeries + 1, bounds))).toMatchObject({
      limit: 'series',
      message: expect.stringContaining('2001 series; the limit is 2000'),
    });
  });
});

describe('PromQL time reach', () => {
  it('adds up ranges, subquery ranges and offsets along each selector, and multiplies subquery points', () => {
    expect(timeReach('rate(x[5m])')).toMatchObject({ lookbackSeconds: 300, subqueryPoints: 1 });
    expect(timeReach('max_over_time(rate(x[5m])[1h:1m] offset -1d) + y')).toMatchObject({
      lookbackSeconds: 300 + 3600 + DAY,
      subqueryPoints: 61,
    });
    expect(timeReach('max_over_time(max_over_time(x[1m])[1h:1m])[1d:1h]').subqueryPoints).toBe(61 * 25);
    expect(timeReach('x @ 1700000000 + y @ end()').atTimes).toEqual([1700000000]);
  });

  it('every catalog query is well inside the default bounds', () => {
    for (const name of QUERY_CATALOG.keys()) expect(() => checkTimeReach(catalogPromQL(name), NOW, bounds), name).not.toThrow();
  });

  it.each([
    ['a range beyond the lookback', 'max_over_time(x[30d])', 'lookback'],
    ['ranges that add up beyond it', 'max_over_time(rate(x[8d])[8d:1h])', 'lookback'],
    ['an offset beyond it', 'x offset 1y', 'lookback'],
    ['a negative offset beyond it', 'x offset -20d', 'lookback'],
    ['@ at the epoch', 'x @ 0', 'lookback'],
    ['@ far in the future', 'x @ 99999999999', 'lookback'],
    ['a fine subquery', 'max_over_time(rate(x[5m])[7d:1s])', 'points_per_series'],
    ['nested subqueries', 'max_over_time(max_over_time(x[1m])[1d:1m])[1d:1m]', 'points_per_series'],
  ])('refuses %s', (_label, query, limit) => {
    expect(refusal(() => checkTimeReach(query, NOW, bounds))).toMatchObject({ kind: 'limit_exceeded', limit });
  });

  it('refuses duration arithmetic instead of estimating it', () => {
    expect(refusal(() => checkTimeReach('rate(x[5m * 1000])', NOW, bounds))).toMatchObject({
      kind: 'invalid_query',
      message: expect.stringContaining('not supported'),
    });
  });
});

describe('configuration', () => {
  it('maps the bounds, with the documented defaults', () => {
    expect(loadConfig({}).metrics.limits).toEqual(DEFAULT_READ_BOUNDS);
    expect(
      loadConfig({ METRICS_MAX_SERIES: '50', METRICS_MAX_RESPONSE_BYTES: '1048576', METRICS_MAX_LOOKBACK_SECONDS: '604800' }).metrics
        .limits,
    ).toMatchObject({ maxSeries: 50, maxResponseBytes: 1_048_576, maxLookbackSeconds: 604_800 });
  });

  it('refuses a lookback shorter than the longest range, and absurd values', () => {
    expect(() => loadConfig({ METRICS_MAX_LOOKBACK_SECONDS: '86400' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_MAX_LOOKBACK_SECONDS: '86400', METRICS_MAX_RANGE_SECONDS: '86400' })).not.toThrow();
    for (const env of [
      { METRICS_MAX_SERIES: '0' },
      { METRICS_MAX_RESPONSE_BYTES: '1e308' },
      { METRICS_MAX_LOOKBACK_SECONDS: '99999999999' },
    ])
      expect(() => loadConfig(env)).toThrow(ConfigError);
  });
});
