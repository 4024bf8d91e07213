/** 401 aggregation: every failure counted exactly once, rows bounded per (source, reason, minute), memory capped. */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnauthenticatedAggregator, type UnauthenticatedEventInput } from '../../../src/audit/unauthenticated-aggregator.js';

const failure = (ip: string, reason = 'malformed_token', i = 0): UnauthenticatedEventInput => ({
  event_type: 'authorization',
  workspace_id: '',
  source_ip: ip,
  resource_id: '/workspaces/ws-a/access',
  request_id: `req-${i}`,
  details: { allowed: false, reason, scope: 'aiops:read', route: '/workspaces/:workspace_id/access', method: 'GET', status_code: 401 },
});
const countOf = (e: UnauthenticatedEventInput) => e.details.count ?? 1;

function harness(maxKeys: number, start = Date.UTC(2030, 0, 1, 12, 0, 0)) {
  const rows: UnauthenticatedEventInput[] = [];
  let clock = start;
  const agg = new UnauthenticatedAggregator({ maxKeys, now: () => clock, record: async (e) => void rows.push(e) });
  return { rows, agg, advance: (ms: number) => (clock += ms), at: () => clock };
}

afterEach(() => vi.useRealTimers());

describe('UnauthenticatedAggregator', () => {
  it('records the first failure of a key at once and one aggregated row for the rest of its minute', async () => {
    const { rows, agg, advance } = harness(100);
    await agg.add(failure('203.0.113.9', 'malformed_token', 0));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ count: 1, reason: 'malformed_token' });
    for (let i = 1; i < 500; i++) {
      advance(10);
      await agg.add(failure('203.0.113.9', 'malformed_token', i));
    }
    expect(rows).toHaveLength(1); // counted, not written
    expect(agg.stats()).toEqual({ keys: 1, overflowKeys: 0, uncounted: 499 });
    await agg.close();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      source_ip: '203.0.113.9',
      request_id: 'req-1',
      details: { count: 499, reason: 'malformed_token', status_code: 401 },
    });
    expect(rows[1]!.details.last_at! - rows[1]!.details.first_at!).toBe(4980);
    expect(rows.reduce((n, r) => n + countOf(r), 0)).toBe(500);
  });

  it('flushes a minute when it ends, by its timer', async () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1, 12, 0, 30) });
    const rows: UnauthenticatedEventInput[] = [];
    const agg = new UnauthenticatedAggregator({ maxKeys: 100, record: async (e) => void rows.push(e) });
    for (let i = 0; i < 5; i++) await agg.add(failure('198.51.100.1', 'expired', i));
    expect(rows).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(31_000);
    expect(rows).toHaveLength(2);
    expect(rows[1]!.details.count).toBe(4);
    expect(agg.stats()).toEqual({ keys: 0, overflowKeys: 0, uncounted: 0 });
    await agg.close();
    expect(rows).toHaveLength(2);
  });

  it('holds at most maxKeys keys; further sources are counted in one overflow row per reason', async () => {
    const { rows, agg } = harness(3);
    for (let i = 0; i < 100; i++) await agg.add(failure(`10.0.0.${i}`, i % 2 ? 'expired' : 'malformed_token', i));
    expect(agg.stats().keys).toBe(3);
    expect(agg.stats().overflowKeys).toBe(2);
    await agg.close();
    const overflow = rows.filter((r) => r.details.overflow);
    expect(overflow.map((r) => [r.source_ip, r.details.reason, r.details.count]).sort()).toEqual([
      ['', 'expired', 49],
      ['', 'malformed_token', 48],
    ]);
    expect(rows.reduce((n, r) => n + countOf(r), 0)).toBe(100);
  });

  it('property: the counts sum to the number of failures, at most two rows per (source, reason, minute), keys bounded', async () => {
    const step = fc.record({
      ip: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      reason: fc.constantFrom('expired', 'malformed_token', 'invalid_signature'),
      dt: fc.integer({ min: 0, max: 20_000 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 300 }), fc.integer({ min: 1, max: 8 }), async (steps, maxKeys) => {
        const { rows, agg, advance, at } = harness(maxKeys);
        for (const s of steps) {
          advance(s.dt);
          await agg.add({ ...failure(s.ip, s.reason), timestamp: at() });
          expect(agg.stats().keys).toBeLessThanOrEqual(maxKeys);
        }
        await agg.close();
        expect(rows.reduce((n, r) => n + countOf(r), 0)).toBe(steps.length);
        const perKey = new Map<string, number>();
        for (const r of rows) {
          const k = `${r.source_ip}|${r.details.reason}|${Math.floor(r.timestamp! / 60_000)}`;
          perKey.set(k, (perKey.get(k) ?? 0) + 1);
        }
        for (const [k, n] of perKey) expect(n, k).toBeLessThanOrEqual(k.startsWith('|') ? 1 : 2);
      }),
      { numRuns: 300 },
    );
  });

  it('after close, a late failure is recorded on its own', async () => {
    const { rows, agg } = harness(10);
    await agg.close();
    await agg.add(failure('192.0.2.1'));
    expect(rows).toEqual([expect.objectContaining({ source_ip: '192.0.2.1', details: expect.objectContaining({ count: 1 }) })]);
  });
});
