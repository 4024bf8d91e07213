/**
 * The embedded source under its bounds: generated series are shared between queries (no regeneration
 * for repeated or shorter queries), answers do not depend on what was generated before (windows sharing
 * the anchor agree), data older than the lookback is absent, and answers are capped in series and bytes.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddedMetricsSource } from '../../../src/metrics/embedded/embedded-source.js';
import { MetricsError } from '../../../src/metrics/metrics-error.js';
import { DEFAULT_READ_BOUNDS, type ReadBounds } from '../../../src/metrics/read-bounds.js';
import { demoWorkspaces, scenarioWorkspace } from '../../../src/metrics/scenarios/index.js';

const NOW = Date.UTC(2026, 10, 28, 12, 30); // the anchor is 13:00
const now = NOW / 1000;
const ws = { workspaceId: 'ws-t' };
const catalog = (name: string, args = {}) => ({ kind: 'catalog' as const, name, args });
const source = (bounds: Partial<ReadBounds> = {}) =>
  new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace('ws-t', ['memory_leak', 'crash_loop_after_deploy'])],
    tenantLabel: 'workspace_id',
    now: () => NOW,
    bounds: { ...DEFAULT_READ_BOUNDS, ...bounds },
  });

type Matrix = { metric: Record<string, string>; values: [number, string][] }[];
type Vector = { metric: Record<string, string>; value: [number, string] }[];

/** Same series, same timestamps, values equal up to the micro-rounding of the CPU counter. */
function expectSameMatrix(a: Matrix, b: Matrix): void {
  const byKey = (m: Matrix) => new Map(m.map((s) => [JSON.stringify(s.metric), s.values]));
  const [left, right] = [byKey(a), byKey(b)];
  expect([...left.keys()].sort()).toEqual([...right.keys()].sort());
  for (const [key, values] of left) {
    const other = right.get(key)!;
    expect(other.map(([t]) => t)).toEqual(values.map(([t]) => t));
    values.forEach(([, v], i) => expect(Number(other[i]![1])).toBeCloseTo(Number(v), 5));
  }
}

async function limitOf(call: Promise<unknown>): Promise<unknown> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MetricsError);
  return (err as MetricsError).details.limit;
}

describe('generated series are shared, answers stay consistent', () => {
  const window = { start: now - 3 * 3600, end: now, step: 60 };

  it('repeated and shorter queries do not regenerate', async () => {
    const s = source();
    await s.range(ws, catalog('memory_working_set'), window);
    await s.range(ws, catalog('cpu_usage'), window);
    await s.instant(ws, catalog('restarts'), now - 600);
    await s.range(ws, catalog('oom_kills'), { ...window, start: now - 3600 });
    expect(s.generated.generations).toBe(1);
  });

  it('a query answers the same from a fresh index and from one extended by an older query', async () => {
    const fresh = source();
    const extended = source();
    await extended.instant(ws, catalog('cpu_usage'), now - 10 * 86_400); // generates 10+ days
    expect(extended.generated.generations).toBe(1);
    for (const name of ['cpu_usage', 'memory_working_set', 'restarts', 'oom_kills', 'http_latency_p95', 'pod_phase']) {
      const a = (await fresh.range(ws, catalog(name), window)).data.result as Matrix;
      const b = (await extended.range(ws, catalog(name), window)).data.result as Matrix;
      expect(a.length, name).toBeGreaterThan(0);
      expectSameMatrix(a, b);
      const va = (await fresh.instant(ws, catalog(name), now - 120)).data.result as Vector;
      const vb = (await extended.instant(ws, catalog(name), now - 120)).data.result as Vector;
      expectSameMatrix(
        va.map((s) => ({ metric: s.metric, values: [s.value] })),
        vb.map((s) => ({ metric: s.metric, values: [s.value] })),
      );
    }
    expect(extended.generated.generations).toBe(1);
  });

  it("growing a workspace's index doubles its span: few generations for many ever-older queries", async () => {
    const s = source();
    for (let hours = 1; hours <= 24 * 14; hours += 7) await s.instant(ws, catalog('memory_working_set'), now - hours * 3600);
    expect(s.generated.generations).toBeLessThanOrEqual(7); // 6 h, 12 h, 1 d, 2 d, 4 d, 8 d, 16 d
  });
});

describe('retention and bounds', () => {
  it('data older than the lookback (measured from the anchor) is absent, as in Prometheus', async () => {
    const s = source({ maxLookbackSeconds: 86_400, maxRangeSeconds: 86_400 });
    const justInside = (await s.instant(ws, catalog('memory_working_set'), now - 86_400 + 3600)).data.result;
    const beforeTheFloor = (await s.instant(ws, catalog('memory_working_set'), now - 86_400 + 60)).data.result;
    expect(justInside.length).toBeGreaterThan(0);
    expect(beforeTheFloor).toEqual([]); // 12:31 yesterday is before the floor (13:00 yesterday)
    expect(await limitOf(s.instant(ws, catalog('memory_working_set'), now - 86_400 - 60))).toBe('lookback');
  });

  it('refuses hostile windows before generating anything', async () => {
    const s = source();
    expect(await limitOf(s.range(ws, catalog('cpu_usage'), { start: 0, end: 0, step: 1e14 }))).toBe('step');
    expect(await limitOf(s.range(ws, catalog('cpu_usage'), { start: now - 60, end: now, step: 0.001 }))).toBe('step');
    expect(await limitOf(s.instant(ws, catalog('cpu_usage'), now - 90 * 86_400))).toBe('lookback');
    expect(await limitOf(s.instant(ws, catalog('cpu_usage'), 1e308))).toBe('future');
    expect(s.generated.generations).toBe(0);
  });

  it('caps the series and the bytes of an answer', async () => {
    const demo = new EmbeddedMetricsSource({
      workspaces: demoWorkspaces(),
      tenantLabel: 'workspace_id',
      now: () => NOW,
      bounds: { ...DEFAULT_READ_BOUNDS, maxSeries: 3 },
    });
    expect(await limitOf(demo.instant({ workspaceId: 'ws-demo' }, catalog('container_info'), now))).toBe('series');
    expect(
      await limitOf(demo.range({ workspaceId: 'ws-demo' }, catalog('container_info'), { start: now - 3600, end: now, step: 60 })),
    ).toBe('series');
    const small = source({ maxResponseBytes: 64 * 1024 });
    expect(await limitOf(small.range(ws, catalog('cpu_usage'), { start: now - 86_400, end: now, step: 30 }))).toBe('response_size');
    expect((await small.range(ws, catalog('cpu_usage'), { start: now - 3600, end: now, step: 60 })).data.result.length).toBeGreaterThan(0);
  });
});
