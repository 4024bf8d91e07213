/**
 * Continuous monitoring end to end: two app instances on one real Redis (BullMQ), one real PostgreSQL
 * (alerts, incidents, runs) and the real backfilled Prometheus (ws-a: memory leak of shop/api; ws-c:
 * healthy; ws-ghost: never scraped), ticking every second. Nobody calls /analyze: the incident, its
 * alerts and its investigation appear by themselves, and either instance serves them.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';
import { DEAD_URL, prometheusWindow, services } from '../helpers/services.js';

const WORKSPACES = ['ws-a', 'ws-c', 'ws-ghost'];
const INTERVAL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let key: RsaKey;
let db: TestDatabase;
const apps: FastifyInstance[] = [];
let a: FastifyInstance;
let b: FastifyInstance;
/** A webhook receiver for ws-a's notifications. */
const received: { type: string; body: Record<string, unknown> }[] = [];
let receiver: Server;
let receiverPort = 0;

async function instance(name: string, prefix: string): Promise<FastifyInstance> {
  const app = await testApp(
    testEnv(key, {
      AIOPS_DATA_DIR: `/tmp/aiops-test-data/monitor-${name}-${process.pid}`,
      DATABASE_URL: db.url,
      REDIS_URL: services.redisUrl,
      PROMETHEUS_URL: services.prometheusUrl,
      CLICKHOUSE_URL: DEAD_URL.http,
      MONITOR_ENABLED: 'true',
      MONITOR_WORKSPACES: WORKSPACES.join(','),
      MONITOR_FOR_EVALUATIONS: '2',
      ANALYZE_SYNC_WAIT_SECONDS: '0',
      NOTIFY_ALLOWED_HOSTS: `127.0.0.1:${receiverPort}`,
    }),
    {
      now: () => prometheusWindow().endMs,
      monitorIntervalMs: INTERVAL_MS,
      monitorQueuePrefix: prefix,
      monitorLockDurationMs: 2000,
      limitsKeyPrefix: `${prefix}:limits:`,
    },
  );
  apps.push(app);
  return app;
}

beforeAll(async () => {
  key = await rsaKey();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ type: String(req.headers['x-aiops-event']), body: JSON.parse(body) as Record<string, unknown> });
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverPort = (receiver.address() as AddressInfo).port;
  db = await createTestDatabase('monitoring');
  const prefix = `test-monitoring-${randomUUID()}`;
  [a, b] = await Promise.all([instance('a', prefix), instance('b', prefix)]);
  // ws-a's channel, set before the first evaluation can open anything (the scheduler's first tick is a second away).
  const saved = await a.inject({
    method: 'PUT',
    url: '/workspaces/ws-a/notifications',
    headers: {
      ...bearer(await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:admin'] })),
      'content-type': 'application/json',
    },
    payload: JSON.stringify({
      channels: [{ type: 'webhook', url: `http://127.0.0.1:${receiverPort}/aiops`, secret: 'a-secret-of-16-chars-or-more' }],
    }),
  });
  expect(saved.statusCode, saved.body).toBe(200);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(apps.map((app) => app.close()));
  await new Promise((r) => receiver?.close(r));
  await db?.drop();
});

const token = (workspaceId: string) => contractToken(key, { workspaceId, permissions: ['aiops:read'] });

async function get(app: FastifyInstance, workspaceId: string, path: string, as = workspaceId) {
  const res = await app.inject({ url: `/workspaces/${workspaceId}${path}`, headers: bearer(await token(as)) });
  return { status: res.statusCode, body: res.json() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function evaluations(app: FastifyInstance): Promise<number> {
  const text = (await app.inject({ url: '/metrics' })).body;
  return [...text.matchAll(/^aiops_monitor_evaluations_total\{outcome="[a-z_]+"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

interface IncidentBody {
  id: string;
  status: string;
  resource: Record<string, string>;
  investigation: { run_id: string | null; status: string; top_hypothesis: { cause: string } | null };
  alerts: { name: string; state: string; source: string; labels: Record<string, string>; started_at: string }[];
}

describe('monitoring on two replicas', () => {
  it('an incident opens for the leaking workspace with no client request, with its investigation naming the root cause', async () => {
    const incident = await until('an open incident on shop/api in ws-a', async () => {
      const { status, body } = await get(b, 'ws-a', '/incidents?status=open');
      if (status !== 200) throw new Error(`GET /incidents: ${status} ${JSON.stringify(body)}`);
      return (body.incidents as IncidentBody[]).find((i) => i.resource.namespace === 'shop' && i.resource.workload === 'api');
    });
    const detail = await until('the investigation to finish', async () => {
      const { status, body } = await get(a, 'ws-a', `/incidents/${incident.id}`);
      expect(status).toBe(200);
      const d = body as IncidentBody;
      return d.investigation.top_hypothesis ? d : undefined;
    });
    expect(detail.alerts.length).toBeGreaterThan(0);
    expect(detail.alerts.every((x) => x.source === 'aiops' || x.source === 'prometheus')).toBe(true);
    expect(detail.alerts.some((x) => x.state === 'firing' && x.labels.workload === 'api')).toBe(true);
    // The onset is the anomaly's, before the evaluation time (the end of the data), not the evaluation itself.
    expect(Math.min(...detail.alerts.map((x) => Date.parse(x.started_at)))).toBeLessThan(prometheusWindow().endMs);
    expect(detail.investigation.run_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(detail.investigation.top_hypothesis!.cause).toMatch(/memory leak in shop\/api/);
    // Exactly one investigation for the incident, whichever replica evaluated.
    const { body: list } = await get(a, 'ws-a', '/incidents?status=all');
    expect((list.incidents as IncidentBody[]).filter((i) => i.resource.workload === 'api')).toHaveLength(1);
    // The channel heard of it once, and of the diagnosis once, from two replicas.
    const about = (type: string) =>
      received.filter((r) => r.type === type && (r.body.object as { incident_id: string }).incident_id === incident.id);
    await until('investigation.completed delivered', async () => (about('investigation.completed').length > 0 ? true : undefined));
    await sleep(1500);
    expect(about('incident.opened')).toHaveLength(1);
    expect(about('investigation.completed')).toHaveLength(1);
    expect(about('investigation.completed')[0]!.body.title).toMatch(/Likely cause: .*memory leak in shop\/api/);
  }, 60_000);

  it('a workspace nobody scrapes gets AIOpsNoData', async () => {
    const alert = await until('AIOpsNoData on ws-ghost', async () => {
      const { body } = await get(a, 'ws-ghost', '/alerts?state=firing');
      return (body.alerts as { name: string; summary: string }[]).find((x) => x.name === 'AIOpsNoData');
    });
    expect(alert.summary).toMatch(/No metrics for this workspace/);
  }, 60_000);

  it('the healthy workspace opens no incident over many ticks', async () => {
    const before = await evaluations(a).then(async (x) => x + (await evaluations(b)));
    await until('five more ticks', async () =>
      (await evaluations(a)) + (await evaluations(b)) >= before + 5 * WORKSPACES.length ? true : undefined,
    );
    const { status, body } = await get(b, 'ws-c', '/incidents?status=all');
    expect(status).toBe(200);
    expect(body.incidents).toEqual([]);
    // At a glance: nothing open, and evaluated (at the pinned clock; a healthy workspace has no alert rows to tell it).
    const summary = await get(a, 'ws-c', '/summary');
    expect(summary.body).toMatchObject({ workspace_id: 'ws-c', open_incidents: { total: 0 }, active_alerts: { firing: 0 } });
    expect(summary.body.last_evaluated_at).toBe(new Date(prometheusWindow().endMs).toISOString());
    const leaking = await get(b, 'ws-a', '/summary');
    expect((leaking.body.open_incidents as { total: number }).total).toBeGreaterThan(0);
    expect((leaking.body.active_alerts as { firing: number }).firing).toBeGreaterThan(0);
  }, 60_000);

  it('each workspace is evaluated once per tick, counted over both instances', async () => {
    const count = async () => (await evaluations(a)) + (await evaluations(b));
    const start = await count();
    const startedAt = Date.now();
    await sleep(5000);
    const ticks = (Date.now() - startedAt) / INTERVAL_MS;
    const done = (await count()) - start;
    // Twice per tick would be ~30; an evaluation in flight at either end may shift it by one per workspace.
    expect(done).toBeGreaterThanOrEqual((ticks - 1.5) * WORKSPACES.length);
    expect(done).toBeLessThanOrEqual((ticks + 1.5) * WORKSPACES.length);
  }, 30_000);

  it("another workspace's token gets 403 on the incident routes", async () => {
    const { body } = await get(a, 'ws-a', '/incidents?status=all');
    const id = (body.incidents as IncidentBody[])[0]!.id;
    for (const path of ['/incidents', `/incidents/${id}`, '/alerts']) {
      const res = await get(a, 'ws-a', path, 'ws-c');
      expect(res.status, path).toBe(403);
    }
    // And from its own workspace, another workspace's incident does not exist.
    const res = await get(a, 'ws-c', `/incidents/${id}`);
    expect(res.status).toBe(404);
  });

  it('an instance that stops does not stop monitoring: the other evaluates every workspace', async () => {
    await a.close();
    const before = await evaluations(b);
    const startedAt = Date.now();
    await sleep(4000);
    const ticks = (Date.now() - startedAt) / INTERVAL_MS;
    expect((await evaluations(b)) - before).toBeGreaterThanOrEqual((ticks - 1.5) * WORKSPACES.length);
  }, 30_000);
});
