/**
 * The distributed scheduler on a real Redis (BullMQ), two "replicas" in one process: each workspace
 * is ticked once per interval in total, a replica that stops dead mid-evaluation does not lose its
 * tick (stalled-job recovery gives it to the other), and an evaluation slower than the interval makes
 * the overlapping tick skip (the Redis overlap lock), counted.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { BullMonitorScheduler, tickOffsetMs } from '../../src/monitoring/bullmq-scheduler.js';
import type { EvaluationResult } from '../../src/monitoring/evaluate-workspace.js';
import { MonitorLoop } from '../../src/monitoring/monitor-loop.js';
import { MonitorMetrics } from '../../src/monitoring/monitor-metrics.js';
import { services } from '../helpers/services.js';

const INTERVAL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Tick {
  replica: string;
  workspaceId: string;
  dueAtMs: number;
  /** When the tick was delivered. */
  atMs: number;
}

const running: BullMonitorScheduler[] = [];
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((s) => s.stop({ force: true })));
});

const result = (workspaceId: string): EvaluationResult => ({
  workspaceId,
  noData: false,
  transitions: { opened: 0, fired: 0, resolved: 0, dropped: 0 },
  incidentsOpened: [],
  incidentsResolved: [],
  investigationsStarted: 0,
  investigationsFailed: 0,
});

/** One replica: a BullMQ scheduler whose evaluations are `evaluate` (recorded in `ticks`). */
function replica(
  name: string,
  prefix: string,
  workspaces: string[],
  ticks: Tick[],
  evaluate: (workspaceId: string) => Promise<void> = async () => undefined,
) {
  const metrics = new MonitorMetrics(new Registry());
  const scheduler = new BullMonitorScheduler(
    (lock) => {
      const loop = new MonitorLoop(
        {
          evaluate: async (workspaceId: string) => {
            await evaluate(workspaceId);
            return result(workspaceId);
          },
        },
        metrics,
        lock,
        { timeoutMs: 60_000, now: Date.now, warn: () => undefined },
      );
      const tick = loop.tick.bind(loop);
      loop.tick = (workspaceId, dueAtMs) => {
        ticks.push({ replica: name, workspaceId, dueAtMs, atMs: Date.now() });
        return tick(workspaceId, dueAtMs);
      };
      return loop;
    },
    async () => workspaces,
    metrics,
    {
      connect: () => new Redis(services.redisUrl, { maxRetriesPerRequest: null }),
      prefix,
      intervalMs: INTERVAL_MS,
      concurrency: 4,
      refreshMs: 60_000,
      lockDurationMs: 2000,
      warn: () => undefined,
    },
  );
  running.push(scheduler);
  return { scheduler, metrics };
}

const counterValue = async (metrics: MonitorMetrics, reason: string) =>
  (await metrics.skipped.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

describe('BullMQ monitor scheduler (real Redis)', () => {
  it('two replicas: every workspace is evaluated once per tick in total', async () => {
    const prefix = `test-monitor-${randomUUID()}`;
    const workspaces = ['ws-1', 'ws-2', 'ws-3', 'ws-4', 'ws-5', 'ws-6'];
    const ticks: Tick[] = [];
    const a = replica('a', prefix, workspaces, ticks);
    const b = replica('b', prefix, workspaces, ticks);
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    await sleep(5500);
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    for (const ws of workspaces) {
      const mine = ticks.filter((t) => t.workspaceId === ws);
      // No tick twice: every due time once, over both replicas.
      expect(new Set(mine.map((t) => t.dueAtMs)).size, ws).toBe(mine.length);
      // About one per second over 5.5 s (the first on the next whole interval).
      expect(mine.length, ws).toBeGreaterThanOrEqual(4);
      expect(mine.length, ws).toBeLessThanOrEqual(6);
      // Consecutive ticks one interval apart: none skipped, none doubled.
      const due = mine.map((t) => t.dueAtMs).sort((x, y) => x - y);
      for (let i = 1; i < due.length; i++) expect(due[i]! - due[i - 1]!, ws).toBe(INTERVAL_MS);
    }
    expect(new Set(ticks.map((t) => t.replica))).toEqual(new Set(['a', 'b']));
    // Spread over the interval by workspace (not all on the whole second), and delivered when due.
    expect(new Set(workspaces.map((ws) => tickOffsetMs(ws, INTERVAL_MS))).size).toBeGreaterThan(3);
    for (const t of ticks) {
      expect(t.dueAtMs % INTERVAL_MS).toBe(tickOffsetMs(t.workspaceId, INTERVAL_MS));
      expect(t.atMs - t.dueAtMs, JSON.stringify(t)).toBeGreaterThan(-50);
      expect(t.atMs - t.dueAtMs, JSON.stringify(t)).toBeLessThan(800);
    }
  }, 20_000);

  it('a replica that dies mid-evaluation does not lose the tick: the other one takes it over', async () => {
    const prefix = `test-monitor-${randomUUID()}`;
    const ticks: Tick[] = [];
    let hung: Tick | undefined;
    // Replica a never finishes its first evaluation (it "dies" in it); b starts once a holds that tick.
    const a = replica('a', prefix, ['ws-x'], ticks, () => new Promise<void>(() => undefined));
    await a.scheduler.start();
    for (let i = 0; i < 60 && !hung; i++) {
      await sleep(100);
      hung = ticks.find((t) => t.replica === 'a');
    }
    expect(hung).toBeDefined();
    await a.scheduler.stop({ force: true }); // no lock renewal from now on, as after SIGKILL
    const b = replica('b', prefix, ['ws-x'], ticks);
    await b.scheduler.start();
    let recovered: Tick | undefined;
    for (let i = 0; i < 100 && !recovered; i++) {
      await sleep(100);
      recovered = ticks.find((t) => t.replica === 'b' && t.dueAtMs === hung!.dueAtMs);
    }
    // The dead replica's tick was evaluated by b (the overlap lock of the dead evaluation expired or was free).
    expect(recovered, JSON.stringify(ticks)).toBeDefined();
  }, 20_000);

  it('an evaluation slower than the interval: never two at once, overlapping ticks skip (counted), none pile up', async () => {
    const prefix = `test-monitor-${randomUUID()}`;
    const ticks: Tick[] = [];
    let inFlight = 0;
    let most = 0;
    let evaluated = 0;
    const slowly = async () => {
      most = Math.max(most, ++inFlight);
      await sleep(2600);
      inFlight--;
      evaluated++;
    };
    const a = replica('a', prefix, ['ws-slow'], ticks, slowly);
    const b = replica('b', prefix, ['ws-slow'], ticks, slowly);
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    await sleep(6500);
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    expect(most).toBe(1);
    const skipped = (await counterValue(a.metrics, 'overlap')) + (await counterValue(b.metrics, 'overlap'));
    // Every tick delivered was either evaluated or skipped and counted.
    expect(evaluated + skipped).toBe(ticks.length);
    expect(evaluated).toBeGreaterThanOrEqual(2);
    // At most one tick per interval: the slow evaluations did not make ticks accumulate.
    expect(ticks.length).toBeLessThanOrEqual(8);
  }, 20_000);
});
