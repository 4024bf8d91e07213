/**
 * Concurrent analyses and chat turns per workspace, on two app instances sharing the real Redis: a
 * slot taken on one replica is seen by the other and held for the run's whole life (its background
 * part after the 202 included), then released; the defaults of the shared and the dedicated plan
 * differ; a replica's own cap; a run that fails and a replica that dies give their slots back.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnalysisGraph } from '../../agents/analysis/graph.js';
import { AnalysisRuns } from '../../agents/runs.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { ConcurrencyGate } from '../../src/limits/concurrency-gate.js';
import { LimitExceededError } from '../../src/limits/limit-exceeded.js';
import { DEFAULT_PLAN_LIMITS } from '../../src/limits/plan-limits.js';
import { RedisSemaphore } from '../../src/limits/semaphore.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { MetricsError } from '../../src/metrics/metrics-error.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { heldMetrics, type HeldMetrics } from '../helpers/held-metrics.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { dropKeys, limitsPrefix, refusals } from '../helpers/limits.js';
import { DEAD_URL, services } from '../helpers/services.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const prefix = limitsPrefix('limits-concurrency');
const run = `${process.pid}-${Date.now()}`;
let seq = 0;
const freshWs = () => `ws-conc-${run}-${++seq}`;

let key: RsaKey;
let redis: Redis;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  key = await rsaKey();
  redis = new Redis(services.redisUrl);
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await dropKeys(redis, prefix);
  await redis.quit();
});

/** Two replicas on the same Redis; analyses answer 202 at once (the run continues in the background). */
async function replicas(extra: Record<string, string>, held: HeldMetrics): Promise<[FastifyInstance, FastifyInstance]> {
  // chDB takes one data directory per process: the in-process replicas keep their audit in their own spools.
  const env = testEnv(key, { REDIS_URL: services.redisUrl, ANALYZE_SYNC_WAIT_SECONDS: '0', CLICKHOUSE_URL: DEAD_URL.http, ...extra });
  const pair = await Promise.all(
    ['a', 'b'].map((name) =>
      testApp(
        { ...env, AIOPS_DATA_DIR: `/tmp/aiops-test-data/limits-${run}-${++seq}-${name}` },
        { limitsKeyPrefix: prefix, metricsSource: held.source, now: () => NOW },
      ),
    ),
  );
  apps.push(...pair);
  return pair as [FastifyInstance, FastifyInstance];
}

const heldSource = () => heldMetrics(new EmbeddedMetricsSource({ workspaces: [], tenantLabel: 'workspace_id', now: () => NOW }));

async function analyze(app: FastifyInstance, ws: string, planType: 'shared' | 'dedicated' = 'shared') {
  const token = await contractToken(key, { workspaceId: ws, sub: 'alice', planType, permissions: ['aiops:read', 'aiops:analyze'] });
  return app.inject({ method: 'POST', url: `/workspaces/${ws}/analyze`, headers: bearer(token), payload: { time_range_minutes: 30 } });
}

const slotsHeld = (kind: 'analyses' | 'chat', ws: string) => redis.zcard(`${prefix}concurrency:${kind}:${ws}`);

describe('concurrent analyses per workspace, across replicas', () => {
  let a: FastifyInstance;
  let b: FastifyInstance;
  const held = heldSource();
  beforeAll(async () => {
    [a, b] = await replicas({ LIMITS_SHARED: 'concurrent_analyses=1' }, held);
  });

  it('a run in the background holds the slot on both replicas until it ends; another workspace is not affected', async () => {
    const ws = freshWs();
    const gate = held.hold(ws);
    const first = await analyze(a, ws);
    expect(first.statusCode, first.body).toBe(202);
    await gate.reached;
    const refused = await analyze(b, ws);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.json()).toMatchObject({ reason: 'limit_exceeded', limit: 'concurrent_analyses', retry_after_seconds: 10 });
    expect(refused.json().message).toMatch(/already running 1 analyses at once/);
    expect((await analyze(b, freshWs())).statusCode).toBe(202);

    gate.release();
    await vi.waitFor(async () => expect(await slotsHeld('analyses', ws)).toBe(0), { timeout: 10_000 });
    const again = await analyze(b, ws);
    expect([200, 202]).toContain(again.statusCode);
  });

  it('a run whose metrics fail gives its slot back', async () => {
    const ws = freshWs();
    const gate = held.hold(ws);
    expect((await analyze(a, ws)).statusCode).toBe(202);
    await gate.reached;
    expect((await analyze(b, ws)).statusCode).toBe(429);
    gate.fail(new MetricsError('unavailable', 'Prometheus is unreachable'));
    await vi.waitFor(async () => expect(await slotsHeld('analyses', ws)).toBe(0), { timeout: 10_000 });
    expect((await analyze(b, ws)).statusCode).not.toBe(429);
  });

  it('refusals are counted by route class and limit', async () => {
    const ws = freshWs();
    const gate = held.hold(ws);
    expect((await analyze(a, ws)).statusCode).toBe(202);
    await gate.reached;
    const before = (await refusals(b)).get('analyze/concurrent_analyses') ?? 0;
    expect((await analyze(b, ws)).statusCode).toBe(429);
    expect((await refusals(b)).get('analyze/concurrent_analyses')).toBe(before + 1);
    gate.release();
  });
});

describe('plan defaults and the per-replica cap', () => {
  it("shared and dedicated workspaces get their plan's default number of concurrent analyses", async () => {
    const held = heldSource();
    // The built-in plan defaults (blank overrides); the replica cap out of the way.
    const [a, b] = await replicas({ LIMITS_SHARED: '', LIMITS_DEDICATED: '', LIMITS_ANALYSES_PER_REPLICA: '100' }, held);
    const { shared, dedicated } = DEFAULT_PLAN_LIMITS;
    expect(dedicated.concurrent_analyses).toBeGreaterThan(shared.concurrent_analyses);
    const gates = [];
    for (const [ws, plan, limit] of [
      [freshWs(), 'shared', shared.concurrent_analyses],
      [freshWs(), 'dedicated', dedicated.concurrent_analyses],
    ] as const) {
      const gate = held.hold(ws);
      gates.push(gate);
      for (let i = 0; i < limit; i++) expect((await analyze(i % 2 ? a : b, ws, plan)).statusCode, `${plan} #${i + 1}`).toBe(202);
      const refused = await analyze(a, ws, plan);
      expect(refused.statusCode, plan).toBe(429);
      expect(refused.json().message).toContain(`already running ${limit} analyses at once (the most its ${plan} plan allows)`);
    }
    for (const gate of gates) gate.release();
  });

  it('a replica runs at most LIMITS_ANALYSES_PER_REPLICA analyses whatever the workspaces; the other replica still admits', async () => {
    const held = heldSource();
    const [a, b] = await replicas({ LIMITS_ANALYSES_PER_REPLICA: '2' }, held);
    const [w1, w2, w3] = [freshWs(), freshWs(), freshWs()];
    const gates = [w1, w2, w3].map((ws) => held.hold(ws));
    expect((await analyze(a, w1)).statusCode).toBe(202);
    expect((await analyze(a, w2)).statusCode).toBe(202);
    const refused = await analyze(a, w3);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ reason: 'limit_exceeded', limit: 'concurrent_analyses_per_replica' });
    expect((await analyze(b, w3)).statusCode).toBe(202);
    for (const gate of gates) gate.release();
  });
});

describe('a run that fails', () => {
  it('releases its slot when the graph throws in the background', async () => {
    let fail!: (err: Error) => void;
    const graph = {
      invoke: () => new Promise((_, reject) => (fail = reject)),
      getState: async () => ({ values: {}, tasks: [], next: [] }),
      updateState: async () => undefined,
    } as unknown as AnalysisGraph;
    const gate = new ConcurrencyGate({
      routeClass: 'analyze',
      limit: 'concurrent_analyses',
      what: 'analyses',
      retryAfterSeconds: 10,
      countRefusal: () => undefined,
      semaphore: new RedisSemaphore(redis, { prefix: `${prefix}fail:` }),
      limitsFor: () => ({ ...DEFAULT_PLAN_LIMITS.shared, concurrent_analyses: 1 }),
    });
    const runs = new AnalysisRuns(graph, { syncWaitMs: 0, admit: (auth) => gate.admit(auth), onBackgroundError: () => undefined });
    const ws = freshWs();
    const auth = {
      sub: 'alice',
      workspaceId: ws,
      permissions: ['aiops:analyze'],
      planType: 'shared',
      orgIds: [],
      tokenType: 'aiops-contract',
      expiresAt: 0,
      rawToken: 'x',
    } satisfies AuthContext;
    const request = { analysisType: 'anomaly', timeRangeMinutes: 30, targets: [], endTime: NOW / 1000 } as const;
    expect((await runs.start(auth, { ...request, targets: [] })).status).toBe('running');
    await expect(runs.start(auth, { ...request, targets: [] })).rejects.toBeInstanceOf(LimitExceededError);
    expect(await redis.zcard(`${prefix}fail:${ws}`)).toBe(1);
    fail(new Error('node crashed'));
    await vi.waitFor(async () => expect(await redis.zcard(`${prefix}fail:${ws}`)).toBe(0), { timeout: 5000 });
    expect((await runs.start(auth, { ...request, targets: [] })).status).toBe('running');
    fail(new Error('node crashed'));
  });
});

describe('the lease of a dead replica', () => {
  it('expires, and the slot goes to someone else', async () => {
    const dying = new Redis(services.redisUrl);
    const ws = freshWs();
    const leaseMs = 300;
    const mine = new RedisSemaphore(dying, { prefix: `${prefix}lease:`, leaseMs, onError: () => undefined });
    const theirs = new RedisSemaphore(redis, { prefix: `${prefix}lease:`, leaseMs });
    expect(await mine.tryAcquire(ws, 1)).toBeDefined();
    // While its holder renews it, the lease outlives its period.
    await new Promise((resolve) => setTimeout(resolve, leaseMs * 2));
    expect(await theirs.tryAcquire(ws, 1)).toBeUndefined();
    dying.disconnect(); // the replica is gone: no renewal, no release
    await vi.waitFor(async () => expect(await theirs.tryAcquire(ws, 1)).toBeDefined(), { timeout: 5000, interval: 100 });
  });
});

describe('concurrent chat turns per workspace, across replicas', () => {
  it("a turn holds the workspace's slot on both replicas until it ends", async () => {
    const held = heldSource();
    const [a, b] = await replicas({ LIMITS_SHARED: 'concurrent_chat_turns=1' }, held);
    const ws = freshWs();
    const chat = async (app: FastifyInstance, sub: string) =>
      app.inject({
        method: 'POST',
        url: `/workspaces/${ws}/chat`,
        headers: {
          ...bearer(await contractToken(key, { workspaceId: ws, sub, permissions: ['aiops:read', 'aiops:analyze'] })),
          accept: 'application/json',
        },
        payload: { message: 'what is wrong now?' },
      });
    const gate = held.hold(ws);
    const first = chat(a, 'alice');
    await Promise.race([
      gate.reached,
      first.then((r) => {
        throw new Error(`the turn ended early: ${r.statusCode} ${r.body}`);
      }),
    ]);
    const refused = await chat(b, 'bob');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ reason: 'limit_exceeded', limit: 'concurrent_chat_turns', retry_after_seconds: 5 });
    gate.release();
    expect((await first).statusCode).toBe(200);
    await vi.waitFor(async () => expect(await slotsHeld('chat', ws)).toBe(0), { timeout: 5000 });
    const later = await chat(b, 'bob');
    expect(later.statusCode, later.body).toBe(200);
    expect(later.json().answer.mode).toBe('deterministic');
  });
});
