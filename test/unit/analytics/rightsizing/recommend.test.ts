import { describe, expect, it } from 'vitest';
import { recommendContainer } from '../../../../src/analytics/rightsizing/recommend.js';
import type { ContainerRecommendation, ContainerUsageInput, RightsizingResult } from '../../../../src/analytics/rightsizing/types.js';
import { GiB, MiB } from '../../../../src/analytics/rightsizing/units.js';

const T0 = Date.UTC(2024, 0, 1);
const STEP = 5 * 60_000;
const DAY_POINTS = 288;

function series(n: number, f: (i: number) => number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [T0 + i * STEP, f(i)] as [number, number]);
}

function ok(result: RightsizingResult): ContainerRecommendation {
  if (result.status !== 'ok') throw new Error(`expected a recommendation, got ${result.status}: ${result.reasons.join('; ')}`);
  return result;
}

function input(overrides: Partial<ContainerUsageInput> = {}): ContainerUsageInput {
  return {
    container: 'api',
    namespace: 'ws-1',
    pod: 'api-7d9',
    cpuUsageCores: series(2 * DAY_POINTS, () => 0.2),
    memoryWorkingSetBytes: series(2 * DAY_POINTS, () => 500 * MiB),
    cpuRequestCores: 1,
    memoryRequestBytes: 2 * GiB,
    ...overrides,
  };
}

describe('recommendContainer', () => {
  it('sizes CPU at p95 + 20% headroom and reports the savings of an idle-ish container', () => {
    const r = ok(recommendContainer(input()));
    expect(r.cpu.recommendedRequest).toBeCloseTo(0.24, 12); // 0.2 × 1.2, already a multiple of 5m
    expect(r.cpu.classification).toBe('over-provisioned');
    expect(r.cpu.savings).toBeCloseTo(0.76, 12);
    expect(r.cpu.savingsShare).toBeCloseTo(0.76, 12);
    expect(r.cpu.display).toEqual({ currentRequest: '1', recommendedRequest: '240m', recommendedLimit: null });
    expect(r.cpu.recommendedLimit).toBeNull(); // default policy: no CPU limit
    // Memory: 500 MiB × 1.15 = 575 MiB → rounded up to 576 MiB (8 MiB granularity); limit = request.
    expect(r.memory.recommendedRequest).toBe(576 * MiB);
    expect(r.memory.recommendedLimit).toBe(576 * MiB);
    expect(r.memory.savings).toBe(2 * GiB - 576 * MiB);
    expect(r.classification).toBe('over-provisioned');
    expect(r).toMatchObject({ container: 'api', namespace: 'ws-1', pod: 'api-7d9' });
  });

  it('never sizes memory below the observed peak plus its buffer', () => {
    const r = ok(recommendContainer(input({ memoryWorkingSetBytes: series(2 * DAY_POINTS, (i) => (i === 300 ? 700 * MiB : 400 * MiB)) })));
    expect(r.memory.observed.peak).toBe(700 * MiB);
    expect(r.memory.recommendedRequest).toBeGreaterThanOrEqual(700 * MiB * 1.15);
    expect(r.memory.recommendedRequest).toBeLessThan(700 * MiB * 1.15 + 8 * MiB);
    expect(r.memory.recommendedLimit).toBeGreaterThanOrEqual(r.memory.recommendedRequest);
    // Even with no buffer the request stays at or above the peak.
    const noBuffer = ok(
      recommendContainer(input({ memoryWorkingSetBytes: series(2 * DAY_POINTS, () => 700.3 * MiB) }), { memoryBuffer: 0 }),
    );
    expect(noBuffer.memory.recommendedRequest).toBeGreaterThanOrEqual(700.3 * MiB);
  });

  it('uses the configured percentile and headroom', () => {
    // Usage ramps 0.001 … 0.576 cores: p95 (type 7) = 0.001 + 0.95 × 0.575.
    const ramp = series(2 * DAY_POINTS, (i) => (i + 1) / 1000);
    const p95 = 0.001 + 0.95 * 0.575;
    const r = ok(recommendContainer(input({ cpuUsageCores: ramp })));
    expect(r.cpu.observed.percentile).toBeCloseTo(p95, 9);
    expect(r.cpu.recommendedRequest).toBeCloseTo(Math.ceil((p95 * 1.2 * 1000) / 5) * 0.005, 9);
    const median = ok(recommendContainer(input({ cpuUsageCores: ramp }), { cpuPercentile: 0.5, cpuHeadroom: 0 }));
    expect(median.cpu.recommendedRequest).toBeCloseTo(Math.ceil(((0.001 + 0.5 * 0.575) * 1000) / 5) * 0.005, 9);
  });

  it('ignores NaN, infinite and negative samples', () => {
    const dirty = series(2 * DAY_POINTS, (i) =>
      i % 10 === 0 ? Number.NaN : i % 17 === 0 ? Number.POSITIVE_INFINITY : i % 23 === 0 ? -1 : 0.2,
    );
    const r = ok(recommendContainer(input({ cpuUsageCores: dirty })));
    expect(r.cpu.recommendedRequest).toBeCloseTo(0.24, 12);
    expect(r.cpu.observed.points).toBeLessThan(2 * DAY_POINTS);
  });

  it('flags under-provisioning with negative savings', () => {
    const r = ok(recommendContainer(input({ cpuUsageCores: series(2 * DAY_POINTS, () => 1.5), cpuRequestCores: 0.5 })));
    expect(r.cpu.classification).toBe('under-provisioned');
    expect(r.cpu.recommendedRequest).toBeCloseTo(1.8, 12);
    expect(r.cpu.savings).toBeCloseTo(-1.3, 12);
    expect(r.classification).toBe('under-provisioned');
  });

  it('does not report changes below the minimum-change threshold', () => {
    // Recommendation 240m vs request 250m: 10m < max(10% × 250m, 25m).
    const r = ok(recommendContainer(input({ cpuRequestCores: 0.25, memoryRequestBytes: 590 * MiB })));
    expect(r.cpu.classification).toBe('ok');
    expect(r.cpu.savings).toBe(0);
    expect(r.memory.classification).toBe('ok');
    expect(r.classification).toBe('ok');
  });

  it('treats missing requests as unset (under-provisioned overall, no savings)', () => {
    const r = ok(recommendContainer(input({ cpuRequestCores: undefined, memoryRequestBytes: undefined })));
    expect(r.cpu.classification).toBe('unset');
    expect(r.memory.classification).toBe('unset');
    expect(r.cpu.savings).toBe(0);
    expect(r.classification).toBe('under-provisioned');
    expect(r.notes.join(' ')).toContain('unset');
  });

  it('applies the ratio limit policies and warns about throttling and OOM risk', () => {
    const r = ok(
      recommendContainer(input({ cpuLimitCores: 0.21, memoryLimitBytes: 520 * MiB }), {
        cpuLimitPolicy: 'ratio',
        cpuLimitRatio: 2,
        memoryLimitPolicy: 'ratio',
        memoryLimitRatio: 1.5,
      }),
    );
    expect(r.cpu.recommendedLimit).toBeCloseTo(0.48, 12);
    expect(r.memory.recommendedLimit).toBe(864 * MiB); // 576 × 1.5
    expect(r.notes.some((n) => n.includes('throttled'))).toBe(true);
    expect(r.notes.some((n) => n.includes('OOM'))).toBe(true);
  });

  it('applies the floors to nearly idle containers', () => {
    const r = ok(
      recommendContainer(
        input({ cpuUsageCores: series(2 * DAY_POINTS, () => 0.0001), memoryWorkingSetBytes: series(2 * DAY_POINTS, () => MiB) }),
      ),
    );
    expect(r.cpu.recommendedRequest).toBeCloseTo(0.01, 12);
    expect(r.memory.recommendedRequest).toBe(32 * MiB);
  });

  it('refuses (without throwing) when history is too short or too sparse', () => {
    const short = recommendContainer(input({ cpuUsageCores: series(DAY_POINTS / 2, () => 0.2) }));
    expect(short.status).toBe('insufficient_data');
    if (short.status === 'insufficient_data') {
      expect(short.reasons.join(' ')).toContain('CPU');
      expect(short.container).toBe('api');
    }
    const sparse = recommendContainer(
      input({ memoryWorkingSetBytes: series(2 * DAY_POINTS, (i) => (i % 20 === 0 ? 400 * MiB : Number.NaN)) }),
    );
    expect(sparse.status).toBe('insufficient_data');
    // The minimum history is configurable.
    expect(recommendContainer(input({ cpuUsageCores: series(DAY_POINTS / 2, () => 0.2) }), { minHistoryMs: 3_600_000 }).status).toBe('ok');
    expect(recommendContainer(input({ cpuUsageCores: [], memoryWorkingSetBytes: [] })).status).toBe('insufficient_data');
  });

  it('validates options coming from outside', () => {
    expect(() => recommendContainer(input(), { cpuPercentile: 2 })).toThrow();
    expect(() => recommendContainer(input(), { cpuLimitPolicy: 'always' as never })).toThrow();
  });

  it('accepts parallel arrays as well as [ms, value] pairs', () => {
    const times = Float64Array.from({ length: 2 * DAY_POINTS }, (_, i) => T0 + i * STEP);
    const r = ok(recommendContainer(input({ cpuUsageCores: { times, values: new Float64Array(times.length).fill(0.2) } })));
    expect(r.cpu.recommendedRequest).toBeCloseTo(0.24, 12);
  });
});
