/**
 * Notifications end to end on the real app, real Redis (BullMQ) and a local HTTP receiver: channels
 * saved only inside the operator's allow-list, read back masked; an incident from Alertmanager's
 * webhook is delivered once per channel, signed; a redelivered payload sends nothing new; a receiver
 * that fails is retried until it answers and then never again; a job survives an app restart.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL, services } from '../helpers/services.js';

const WEBHOOK_TOKEN = 'am-webhook-token-0123456789';
const SECRET = 'channel-secret-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver whose answers the test scripts (default 200). */
async function receiver() {
  const received: Received[] = [];
  const script: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = script.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { received, script, port, url: `http://127.0.0.1:${port}/hooks/aiops`, close: () => new Promise((r) => server.close(r)) };
}

let key: RsaKey;
let hook: Awaited<ReturnType<typeof receiver>>;
const apps: FastifyInstance[] = [];
const prefix = `test-notify-${randomUUID()}`;
const dataDir = `/tmp/aiops-test-data/notify-${randomUUID()}`;

async function instance(): Promise<FastifyInstance> {
  const app = await testApp(
    testEnv(key, {
      AIOPS_DATA_DIR: dataDir,
      REDIS_URL: services.redisUrl,
      CLICKHOUSE_URL: DEAD_URL.http,
      ALERTMANAGER_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      NOTIFY_ALLOWED_HOSTS: `127.0.0.1:${hook.port},*.example.invalid`,
      NOTIFY_MAX_ATTEMPTS: '6',
      AIOPS_PUBLIC_URL: 'https://aiops.example.com',
    }),
    {
      monitorQueuePrefix: prefix,
      limitsKeyPrefix: `${prefix}:limits:`,
      notifyBackoffMs: 150,
      monitorInvestigator: { start: async () => ({ runId: randomUUID() }) },
    },
  );
  apps.push(app);
  return app;
}

const admin = (ws: string) => contractToken(key, { workspaceId: ws, permissions: ['aiops:read', 'aiops:admin'] });

async function putChannels(app: FastifyInstance, ws: string, body: unknown, token?: string) {
  return app.inject({
    method: 'PUT',
    url: `/workspaces/${ws}/notifications`,
    headers: { ...bearer(token ?? (await admin(ws))), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

function alertPayload(ws: string, status: 'firing' | 'resolved', name = 'KubePodCrashLooping') {
  return {
    version: '4',
    status,
    receiver: 'aiops',
    alerts: [
      {
        status,
        labels: { alertname: name, severity: 'critical', namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z', workspace_id: ws },
        annotations: { summary: 'Pod shop/api is crash looping' },
        startsAt: '2026-12-05T03:00:00.000Z',
        endsAt: status === 'resolved' ? '2026-12-05T03:30:00.000Z' : '0001-01-01T00:00:00Z',
      },
    ],
  };
}

const postAlerts = (app: FastifyInstance, body: unknown) =>
  app.inject({
    method: 'POST',
    url: '/webhooks/alertmanager',
    headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const deliveriesTo = (ws: string, type: string) =>
  hook.received.filter((r) => r.headers['x-aiops-event'] === type && (JSON.parse(r.body) as { workspace_id: string }).workspace_id === ws);

beforeAll(async () => {
  key = await rsaKey();
  hook = await receiver();
});
afterAll(async () => {
  await Promise.allSettled(apps.map((a) => a.close()));
  await hook?.close();
});

describe('notification channels', () => {
  it('refuses destinations outside the allow-list with a 400 saying why; needs aiops:admin', async () => {
    const app = apps[0] ?? (await instance());
    const outside = await putChannels(app, 'ws-n1', { channels: [{ type: 'slack', url: 'https://hooks.slack.com/services/T/B/X' }] });
    expect(outside.statusCode).toBe(400);
    expect(outside.json()).toMatchObject({ reason: 'destination_not_allowed' });
    expect(outside.json().message).toMatch(/channels\[0\]\.url: hooks\.slack\.com:443 is not in the operator's allow-list/);
    const unresolvable = await putChannels(app, 'ws-n1', { channels: [{ type: 'slack', url: 'https://hooks.example.invalid/x' }] });
    expect(unresolvable.statusCode).toBe(400);
    expect(unresolvable.json().message).toMatch(/does not resolve/);
    const weak = await putChannels(app, 'ws-n1', { channels: [{ type: 'webhook', url: hook.url, secret: 'short' }] });
    expect(weak.statusCode).toBe(400);
    const reader = await contractToken(key, { workspaceId: 'ws-n1', permissions: ['aiops:read'] });
    expect((await putChannels(app, 'ws-n1', { channels: [] }, reader)).statusCode).toBe(403);
  });

  it('saves channels and reads them back masked; another workspace gets 403', async () => {
    const app = apps[0]!;
    const saved = await putChannels(app, 'ws-n1', {
      channels: [{ type: 'webhook', url: `${hook.url}?k=v`, secret: SECRET }],
      min_severity: 'warning',
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const read = await app.inject({
      url: '/workspaces/ws-n1/notifications',
      headers: bearer(await contractToken(key, { workspaceId: 'ws-n1' })),
    });
    expect(read.json()).toMatchObject({
      channels: [{ type: 'webhook', url: `http://127.0.0.1:${hook.port}/…`, secret: '••••' }],
      min_severity: 'warning',
    });
    expect(read.body).not.toContain(SECRET);
    expect(read.body).not.toContain('/hooks/aiops');
    const other = await app.inject({
      url: '/workspaces/ws-n1/notifications',
      headers: bearer(await contractToken(key, { workspaceId: 'ws-n2' })),
    });
    expect(other.statusCode).toBe(403);
  });
});

describe('delivery', () => {
  it('an incident from Alertmanager: exactly one signed incident.opened; the same payload again sends nothing; resolved sends incident.resolved', async () => {
    const app = apps[0]!;
    expect((await postAlerts(app, alertPayload('ws-n1', 'firing'))).statusCode).toBe(200);
    const [opened] = await until('incident.opened', () =>
      deliveriesTo('ws-n1', 'incident.opened').length ? deliveriesTo('ws-n1', 'incident.opened') : undefined,
    );
    const expected = `sha256=${createHmac('sha256', SECRET).update(opened!.body).digest('hex')}`;
    expect(opened!.headers['x-aiops-signature']).toBe(expected);
    expect(opened!.headers['x-aiops-delivery']).toMatch(/_/);
    const body = JSON.parse(opened!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'incident.opened', workspace_id: 'ws-n1', severity: 'critical' });
    expect(String(body.ui_url)).toMatch(/^https:\/\/aiops\.example\.com\/ui#incident=/);
    expect((await postAlerts(app, alertPayload('ws-n1', 'firing'))).json()).toMatchObject({ accepted: 0 });
    expect((await postAlerts(app, alertPayload('ws-n1', 'resolved'))).statusCode).toBe(200);
    await until('incident.resolved', () => (deliveriesTo('ws-n1', 'incident.resolved').length ? true : undefined));
    await sleep(500);
    expect(deliveriesTo('ws-n1', 'incident.opened')).toHaveLength(1);
    expect(deliveriesTo('ws-n1', 'incident.resolved')).toHaveLength(1);
  }, 30_000);

  it('a receiver that answers 500 three times then 200 gets the event once more and no more', async () => {
    const app = apps[0]!;
    expect((await putChannels(app, 'ws-n3', { channels: [{ type: 'webhook', url: hook.url, secret: SECRET }] })).statusCode).toBe(200);
    hook.script.push(500, 500, 500);
    expect((await postAlerts(app, alertPayload('ws-n3', 'firing'))).statusCode).toBe(200);
    await until('the fourth attempt', () => (deliveriesTo('ws-n3', 'incident.opened').length >= 4 ? true : undefined), 20_000);
    await sleep(2000);
    const attempts = deliveriesTo('ws-n3', 'incident.opened');
    expect(attempts).toHaveLength(4);
    // One delivery id across the retries: a receiver can tell a retry from a new event.
    expect(new Set(attempts.map((a) => a.headers['x-aiops-delivery'])).size).toBe(1);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/aiops_notify_deliveries_total\{outcome="retry"\} [3-9]/);
  }, 40_000);

  it('a delivery survives an app restart between attempts (Redis-backed queue)', async () => {
    const first = apps[0]!;
    expect((await putChannels(first, 'ws-n4', { channels: [{ type: 'webhook', url: hook.url, secret: SECRET }] })).statusCode).toBe(200);
    hook.script.push(503);
    expect((await postAlerts(first, alertPayload('ws-n4', 'firing'))).statusCode).toBe(200);
    await until('the first attempt', () => (deliveriesTo('ws-n4', 'incident.opened').length >= 1 ? true : undefined));
    await first.close(); // the retry is due in ~150 ms: nobody is left to run it
    const second = await instance();
    await until('the retry on the new instance', () => (deliveriesTo('ws-n4', 'incident.opened').length >= 2 ? true : undefined), 20_000);
    await sleep(1000);
    expect(deliveriesTo('ws-n4', 'incident.opened')).toHaveLength(2);
    expect(second).toBeDefined();
  }, 40_000);
});
