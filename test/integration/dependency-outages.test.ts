/**
 * Fault injection against real dependencies: the app on a private PostgreSQL and a private Redis
 * (plus the shared Prometheus, read only), under load, while (a) every PostgreSQL connection is
 * terminated, (b) PostgreSQL is restarted, (c) Redis is restarted. Throughout: the process lives (no
 * unhandled 'error' event), every answer is 200 or a 503 with Retry-After and the stable reason of
 * the store that is down — never a 500, never a 404 for the run, remediation or thread that exists —
 * a remediation is never executed without its lock, and everything works again shortly after the
 * dependency returns.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { startControlPlaneStub, type ControlPlaneStub } from '../helpers/control-plane-stub.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { PrivatePostgres } from '../helpers/private-postgres.js';
import { PrivateRedis } from '../helpers/private-redis.js';
import { prometheusWindow, services } from '../helpers/services.js';

const WS = 'ws-c';
/** How long a route may take to work again once its dependency is back (the aim is about a second; generous for 2 shared cores). */
const RECOVERY_BOUND_MS = 5000;

let key: RsaKey;
let pgServer: PrivatePostgres;
let redisServer: PrivateRedis;
let cp: ControlPlaneStub;
let app: FastifyInstance;
let token: string;
const ids = { run: '', remediation: '', thread: '' };
const uncaught: unknown[] = [];
const recordUncaught = (err: unknown) => uncaught.push(err);

interface Sample {
  route: string;
  status: number;
  reason?: string;
  retryAfter?: string;
}

/** The routes under load, and the reason each may give when it answers 503 (none: it must keep answering 200). */
function routes(): Record<string, { url: string; unavailable?: string }> {
  const endSec = Math.floor(prometheusWindow().endMs / 1000);
  return {
    run: { url: `/workspaces/${WS}/runs/${ids.run}`, unavailable: 'run_store_unavailable' },
    remediation: { url: `/workspaces/${WS}/remediations/${ids.remediation}`, unavailable: 'remediation_store_unavailable' },
    remediations: { url: `/workspaces/${WS}/remediations`, unavailable: 'remediation_store_unavailable' },
    thread: { url: `/workspaces/${WS}/chat/threads/${ids.thread}`, unavailable: 'chat_store_unavailable' },
    metrics: { url: `/workspaces/${WS}/metrics/query?name=cpu_usage&time=${endSec}` }, // Redis cache in front of Prometheus
    access: { url: `/workspaces/${WS}/access` },
  };
}

async function call(route: string): Promise<Sample> {
  const res = await app.inject({ url: routes()[route]!.url, headers: bearer(token) });
  const body = res.headers['content-type']?.toString().includes('json') ? res.json() : {};
  return { route, status: res.statusCode, reason: body.reason, retryAfter: res.headers['retry-after']?.toString() };
}

/** Requests every route in a loop (4 at a time) until stopped; returns every answer. */
function startLoad(): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = [];
  let running = true;
  const worker = async (offset: number) => {
    const names = Object.keys(routes());
    for (let i = offset; running; i++) samples.push(await call(names[i % names.length]!));
  };
  const workers = [0, 1, 2, 3].map(worker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return samples;
    },
  };
}

/** Every answer is 200, or 503 with Retry-After and the reason of the store its route needs. */
function expectOnlyOkOrRetryable(samples: Sample[]): void {
  expect(samples.length).toBeGreaterThan(0);
  const spec = routes();
  for (const s of samples) {
    if (s.status === 200) continue;
    expect({ ...s, status: s.status }).toEqual({ ...s, status: 503 }); // never 500, never 404
    expect(s.reason, `${s.route}: ${JSON.stringify(s)}`).toBe(spec[s.route]!.unavailable);
    expect(Number(s.retryAfter), `${s.route}: Retry-After`).toBeGreaterThan(0);
  }
}

/** Polls until every listed route answers 200; returns how long that took. */
async function timeUntilOk(names: string[]): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    const answers = await Promise.all(names.map(call));
    if (answers.every((a) => a.status === 200)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${names.join(', ')} did not recover within 20 s`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PG_ROUTES = ['run', 'remediation', 'remediations', 'thread'];

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  process.on('unhandledRejection', recordUncaught);
  key = await rsaKey();
  [pgServer, redisServer, cp] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start(), startControlPlaneStub()]);
  app = await testApp(
    testEnv(key, {
      AIOPS_DATA_DIR: `/tmp/aiops-test-data/outages-${process.pid}`,
      DATABASE_URL: pgServer.url,
      REDIS_URL: redisServer.url,
      PROMETHEUS_URL: services.prometheusUrl,
      HEXABASE_API_URL: cp.url,
      HEXABASE_API_TOKEN: 'internal_test_token',
    }),
    { now: () => prometheusWindow().endMs },
  );
  token = await contractToken(key, { workspaceId: WS, sub: 'alice', permissions: ['aiops:read', 'aiops:analyze', 'aiops:remediate'] });

  // What exists before the outages: a completed run, a pending remediation, a chat thread.
  const run = await app.inject({
    method: 'POST',
    url: `/workspaces/${WS}/analyze`,
    headers: bearer(token),
    payload: { time_range_minutes: 60 },
  });
  expect(run.statusCode, run.body).toBe(200);
  ids.run = run.json().run_id;
  const remediation = await app.inject({
    method: 'POST',
    url: `/workspaces/${WS}/remediate`,
    headers: bearer(token),
    payload: { actions: [{ action_type: 'scale', target_resource: 'deployment/cart', namespace: 'shop', parameters: { replicas: 3 } }] },
  });
  expect(remediation.statusCode, remediation.body).toBe(201);
  ids.remediation = remediation.json().id;
  const chat = await app.inject({
    method: 'POST',
    url: `/workspaces/${WS}/chat`,
    headers: { ...bearer(token), accept: 'application/json' },
    payload: { message: 'what alerts are firing?' },
  });
  expect(chat.statusCode, chat.body).toBe(200);
  ids.thread = chat.json().thread_id;
  for (const name of Object.keys(routes())) expect((await call(name)).status, name).toBe(200);
}, 90_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([pgServer?.destroy(), redisServer?.destroy(), cp?.close()]);
  process.off('uncaughtException', recordUncaught);
  process.off('unhandledRejection', recordUncaught);
});

describe('PostgreSQL', () => {
  it('(a) every connection terminated under load: the process lives, nothing answers 500 or 404, and it keeps working', async () => {
    const load = startLoad();
    await sleep(300);
    const killed = await pgServer.terminateBackends();
    await sleep(300);
    const recoveredMs = await timeUntilOk(PG_ROUTES);
    await sleep(200);
    const samples = await load.stop();
    expect(killed).toBeGreaterThan(0); // the shared pool had connections to lose
    expectOnlyOkOrRetryable(samples);
    expect(recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(uncaught).toEqual([]);
  });

  it('(b) restarted: 503 with Retry-After and the store that is down while it is, other routes unaffected, working again once it is back', async () => {
    const load = startLoad();
    await sleep(200);
    await pgServer.stop();

    const during = Object.fromEntries(await Promise.all(Object.keys(routes()).map(async (name) => [name, await call(name)] as const)));
    expect(during.run).toMatchObject({ status: 503, reason: 'run_store_unavailable' }); // not 404: the run exists
    expect(during.remediation).toMatchObject({ status: 503, reason: 'remediation_store_unavailable' });
    expect(during.remediations).toMatchObject({ status: 503, reason: 'remediation_store_unavailable' });
    expect(during.thread).toMatchObject({ status: 503, reason: 'chat_store_unavailable' });
    for (const s of [during.run, during.remediation, during.thread]) expect(Number(s!.retryAfter)).toBeGreaterThan(0);
    expect(during.metrics!.status).toBe(200);
    expect(during.access!.status).toBe(200);
    const writes = {
      analyze: await app.inject({
        method: 'POST',
        url: `/workspaces/${WS}/analyze`,
        headers: bearer(token),
        payload: { time_range_minutes: 30 },
      }),
      remediate: await app.inject({
        method: 'POST',
        url: `/workspaces/${WS}/remediate`,
        headers: bearer(token),
        payload: { actions: [{ action_type: 'scale', target_resource: 'deployment/web', namespace: 'shop', parameters: { replicas: 2 } }] },
      }),
      chat: await app.inject({
        method: 'POST',
        url: `/workspaces/${WS}/chat`,
        headers: { ...bearer(token), accept: 'application/json' },
        payload: { message: 'hello', thread_id: ids.thread },
      }),
    };
    expect(writes.analyze.json()).toMatchObject({ statusCode: 503, reason: 'run_store_unavailable' });
    expect(writes.remediate.json()).toMatchObject({ statusCode: 503, reason: 'remediation_store_unavailable' });
    expect(writes.chat.json()).toMatchObject({ statusCode: 503, reason: 'chat_store_unavailable' });
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200); // degraded, not pulled out of the Service
    expect(ready.json().dependencies).toContainEqual(expect.objectContaining({ name: 'postgres', status: 'down' }));

    await pgServer.start();
    const recoveredMs = await timeUntilOk(PG_ROUTES);
    const samples = await load.stop();
    expectOnlyOkOrRetryable(samples);
    expect(samples.some((s) => s.status === 503)).toBe(true); // the load saw the outage
    expect(recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
    console.log(`postgres: routes working again ${recoveredMs} ms after it accepted connections`);
    expect(uncaught).toEqual([]);
  });
});

describe('Redis', () => {
  it('(c) restarted: caches degrade to direct queries behind an open breaker, approval answers 503 lock_store_unavailable and executes nothing, then works once it is back', async () => {
    const approve = () =>
      app.inject({ method: 'POST', url: `/workspaces/${WS}/remediations/${ids.remediation}/approve`, headers: bearer(token), payload: {} });
    const load = startLoad();
    await sleep(200);
    await redisServer.stop();

    for (let i = 0; i < 3; i++) expect((await call('metrics')).status).toBe(200); // the cache fails, the query goes to Prometheus
    const refused = await approve();
    expect(refused.statusCode, refused.body).toBe(503);
    expect(refused.json().reason).toBe('lock_store_unavailable');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(cp.writes()).toEqual([]); // never executed without the lock
    expect((await app.inject({ url: routes().remediation!.url, headers: bearer(token) })).json().status).toBe('pending_approval');
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^aiops_circuit_breaker_state\{dependency="redis",state="open"\} 1$/m);
    expect(metrics).toMatch(/^aiops_circuit_breaker_rejections_total\{dependency="redis"\} [1-9]/m); // calls that failed at once, without a timeout
    expect(metrics).toMatch(/^aiops_metrics_cache_total\{outcome="error"\} [1-9]/m);
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().dependencies).toContainEqual(expect.objectContaining({ name: 'redis', status: 'down' }));

    await redisServer.start();
    const started = Date.now();
    let approved = await approve();
    while (approved.statusCode === 503 && Date.now() - started < 20_000) {
      await sleep(50);
      approved = await approve();
    }
    const recoveredMs = Date.now() - started;
    const samples = await load.stop();
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('completed');
    expect(cp.writes()).toHaveLength(1); // executed exactly once
    expectOnlyOkOrRetryable(samples);
    expect(recoveredMs).toBeLessThan(RECOVERY_BOUND_MS);
    console.log(`redis: approval working again ${recoveredMs} ms after it answered PING`);
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/^aiops_circuit_breaker_state\{dependency="redis",state="closed"\} 1$/m);
    expect(uncaught).toEqual([]);
  });
});
