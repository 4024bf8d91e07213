/**
 * Conversations across replicas: two app instances sharing one real PostgreSQL (a database created
 * for this run, dropped at the end). A thread started on one continues on the other with its
 * history, its index (turns, owner) is the same on both, and ownership holds on both.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse } from '../../src/chat/sse.js';
import { postgresThreadStore } from '../../src/chat/thread-store-postgres.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL, services } from '../helpers/services.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const database = `aiops_chat_test_${process.pid}_${randomBytes(4).toString('hex')}`;
const admin = () => new pg.Client({ connectionString: services.databaseUrl });

let key: RsaKey;
let a: FastifyInstance;
let b: FastifyInstance;

beforeAll(async () => {
  key = await rsaKey();
  const client = admin();
  await client.connect();
  await client.query(`CREATE DATABASE ${database}`);
  await client.end();
  const url = new URL(services.databaseUrl);
  url.pathname = `/${database}`;
  const env = testEnv(key, { DATABASE_URL: url.toString() });
  const metrics = () =>
    new EmbeddedMetricsSource({
      workspaces: [scenarioWorkspace('ws-a', ['memory_leak', 'pvc_filling'])],
      tenantLabel: 'workspace_id',
      now: () => NOW,
    });
  [a, b] = await Promise.all([
    testApp(env, { metricsSource: metrics(), now: () => NOW }),
    testApp(env, { metricsSource: metrics(), now: () => NOW }),
  ]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  const client = admin();
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await client.end();
});

const token = (sub = 'alice') => contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read', 'aiops:analyze'], sub });

async function chat(app: FastifyInstance, body: Record<string, unknown>, sub = 'alice') {
  const res = await app.inject({ method: 'POST', url: '/workspaces/ws-a/chat', headers: bearer(await token(sub)), payload: body });
  return { res, events: res.statusCode === 200 ? (parseSse(res.body) as { event: string; data: Record<string, unknown> }[]) : [] };
}

describe('a thread on two replicas sharing PostgreSQL', () => {
  it('starts on one instance, continues on the other with its context, and reads back the same on both', async () => {
    const first = await chat(a, { message: 'what is wrong now?' });
    expect(first.res.statusCode, first.res.body).toBe(200);
    const tid = first.events[0]!.data.thread_id as string;

    // "restart it" on the other replica refers to what the first one diagnosed: the focus came from the shared checkpoint.
    const second = await chat(b, { message: 'restart it', thread_id: tid });
    expect(second.res.statusCode, second.res.body).toBe(200);
    expect(second.events[0]!.data).toEqual({ thread_id: tid });
    const call = second.events.find((e) => e.event === 'tool_call')!.data;
    expect(call).toMatchObject({
      name: 'propose_remediation',
      args: {
        actions: [expect.objectContaining({ action_type: 'restart_application', target_resource: 'deployment/api', namespace: 'shop' })],
      },
    });
    const approval = second.events.find((e) => e.event === 'approval_request')!.data as {
      remediation: { id: string; status: string; source: unknown };
    };
    expect(approval.remediation).toMatchObject({ status: 'pending_approval', source: { kind: 'chat', thread_id: tid } });

    for (const app of [a, b]) {
      const view = await app.inject({ url: `/workspaces/ws-a/chat/threads/${tid}`, headers: bearer(await token()) });
      expect(view.statusCode).toBe(200);
      expect(view.json().messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
      const list = (await app.inject({ url: '/workspaces/ws-a/chat/threads', headers: bearer(await token()) })).json().threads;
      expect(list.find((t: { thread_id: string }) => t.thread_id === tid)).toMatchObject({ turns: 2, title: 'what is wrong now?' });
      // The pending remediation is in the shared remediation store too.
      const remediation = await app.inject({
        url: `/workspaces/ws-a/remediations/${approval.remediation.id}`,
        headers: bearer(await token()),
      });
      expect(remediation.json()).toMatchObject({ status: 'pending_approval', source: { kind: 'chat', thread_id: tid } });
    }

    // Another user: 404 on both instances, for reading and for continuing.
    for (const app of [a, b]) {
      expect((await app.inject({ url: `/workspaces/ws-a/chat/threads/${tid}`, headers: bearer(await token('mallory')) })).statusCode).toBe(
        404,
      );
      expect((await chat(app, { message: 'approve', thread_id: tid }, 'mallory')).res.statusCode).toBe(404);
    }

    // The index is a table of this database.
    const client = new pg.Client({ connectionString: services.databaseUrl.replace(/\/[^/]*$/, `/${database}`) });
    await client.connect();
    const rows = (
      await client.query('SELECT workspace_id, sub, turns, lease_holder FROM aiops_chat.chat_threads WHERE thread_id = $1', [tid])
    ).rows;
    await client.end();
    expect(rows).toEqual([{ workspace_id: 'ws-a', sub: 'alice', turns: 2, lease_holder: null }]);
  });
});

describe('the PostgreSQL thread index', () => {
  it('replicas setting it up at the same time both succeed; one lease at a time across them', async () => {
    const url = services.databaseUrl.replace(/\/[^/]*$/, `/${database}`);
    const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
    try {
      const [one, two] = pools.map((p) => postgresThreadStore(p, { schema: 'aiops_chat_race' }));
      await Promise.all([one!.ensureReady(), two!.ensureReady(), one!.ensureReady()]);
      const tid = '6f1c7a52-2a5e-4b0a-9a57-1d1b3f1e0c11';
      await one!.create(
        { thread_id: tid, workspace_id: 'ws-a', sub: 'alice', title: 't', created_at: 1, updated_at: 1, turns: 0 },
        'one',
        Date.now() + 60_000,
      );
      expect(await two!.acquire(tid, 'two', Date.now() + 60_000, Date.now())).toBe(false);
      await one!.release(tid, 'one', { updatedAt: 2, turnCompleted: true });
      expect(await two!.acquire(tid, 'two', Date.now() + 60_000, Date.now())).toBe(true);
      expect(await one!.get(tid)).toMatchObject({ turns: 1, updated_at: 2, sub: 'alice' });
      expect(await two!.list('ws-a', 'alice', 5)).toEqual([expect.objectContaining({ thread_id: tid })]);
      expect(await two!.list('ws-a', 'bob', 5)).toEqual([]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

describe('PostgreSQL down', () => {
  it('chat answers 503 chat_store_unavailable before any stream, and the service still starts', async () => {
    const down = await testApp(testEnv(key, { DATABASE_URL: DEAD_URL.postgres }), { now: () => NOW });
    try {
      const post = await down.inject({
        method: 'POST',
        url: '/workspaces/ws-a/chat',
        headers: bearer(await token()),
        payload: { message: 'what is wrong now?' },
      });
      expect(post.statusCode).toBe(503);
      expect(post.json().reason).toBe('chat_store_unavailable');
      expect(post.headers['retry-after']).toBe('10');
      const list = await down.inject({ url: '/workspaces/ws-a/chat/threads', headers: bearer(await token()) });
      expect(list.statusCode).toBe(503);
    } finally {
      await down.close();
    }
  });
});
