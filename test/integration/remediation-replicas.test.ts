/**
 * Two service instances sharing PostgreSQL (remediations, checkpoints) and Redis (target locks,
 * execution budget), as two replicas behind a Service: propose on one and approve on the other;
 * approvals racing on both execute once; an analysis run started on one is resumed and executed by
 * an approval on the other; the hourly execution budget is shared; proposals for one target racing
 * on both make one remediation, and racing proposals never pass the workspace's cap of pending ones.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { startControlPlaneStub, type ControlPlaneStub } from '../helpers/control-plane-stub.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL, services } from '../helpers/services.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
let key: RsaKey;
let cp: ControlPlaneStub;
let a: FastifyInstance;
let b: FastifyInstance;
const run = `${process.pid}-${Date.now()}`;
const wsLeak = `ws-leak-${run}`;

beforeAll(async () => {
  key = await rsaKey();
  cp = await startControlPlaneStub();
  const env = testEnv(key, {
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    HEXABASE_API_URL: cp.url,
    REMEDIATION_EXECUTIONS_PER_HOUR: '3',
    REMEDIATION_MAX_PENDING: '4',
    // chDB takes one data directory per process: the two in-process replicas keep their audit in their spools.
    CLICKHOUSE_URL: DEAD_URL.http,
  });
  const metricsSource = () =>
    new EmbeddedMetricsSource({
      workspaces: [scenarioWorkspace(wsLeak, ['memory_leak'], 7919)],
      tenantLabel: 'workspace_id',
      now: () => NOW,
    });
  a = await testApp(
    { ...env, AIOPS_DATA_DIR: `/tmp/aiops-test-data/replica-a-${run}` },
    { metricsSource: metricsSource(), now: () => NOW },
  );
  b = await testApp(
    { ...env, AIOPS_DATA_DIR: `/tmp/aiops-test-data/replica-b-${run}` },
    { metricsSource: metricsSource(), now: () => NOW },
  );
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await cp?.close();
});
beforeEach(() => {
  cp.calls.length = 0;
  cp.behave({ kind: 'ok' });
});

let seq = 0;
const freshWs = () => `ws-rep-${run}-${++seq}`;
const token = (ws: string, sub: string, permissions = ['aiops:read', 'aiops:remediate']) =>
  contractToken(key, { workspaceId: ws, sub, permissions });
const scale = (replicas: number) => ({ actions: [{ action_type: 'scale', target_resource: 'deployment/cart', parameters: { replicas } }] });

async function propose(app: FastifyInstance, ws: string, body: Record<string, unknown>) {
  const res = await app.inject({
    method: 'POST',
    url: `/workspaces/${ws}/remediate`,
    headers: bearer(await token(ws, 'alice')),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string };
}
async function approve(app: FastifyInstance, ws: string, id: string, sub = 'bob') {
  return app.inject({
    method: 'POST',
    url: `/workspaces/${ws}/remediations/${id}/approve`,
    headers: bearer(await token(ws, sub)),
    payload: {},
  });
}

describe('two replicas sharing PostgreSQL and Redis', () => {
  it('propose on one, see it and approve it on the other: executed once', async () => {
    const ws = freshWs();
    const r = await propose(a, ws, scale(3));
    const seen = await b.inject({ url: `/workspaces/${ws}/remediations`, headers: bearer(await token(ws, 'carol', ['aiops:read'])) });
    expect(seen.json().remediations.map((x: { id: string; status: string }) => [x.id, x.status])).toEqual([[r.id, 'pending_approval']]);
    const res = await approve(b, ws, r.id);
    expect(res.json()).toMatchObject({ status: 'completed', decision: { by: 'bob' } });
    expect(cp.writes()).toHaveLength(1);
    expect(
      (await a.inject({ url: `/workspaces/${ws}/remediations/${r.id}`, headers: bearer(await token(ws, 'alice')) })).json().status,
    ).toBe('completed');
  });

  it('approvals racing on both replicas execute once', async () => {
    for (let round = 0; round < 3; round++) {
      cp.calls.length = 0;
      cp.behave({ kind: 'ok', delayMs: 150 });
      const ws = freshWs();
      const r = await propose(a, ws, scale(2 + round));
      const [x, y] = await Promise.all([approve(a, ws, r.id, 'bob'), approve(b, ws, r.id, 'carol')]);
      expect([x.statusCode, y.statusCode].sort(), `${x.body} ${y.body}`).toEqual([200, 409]);
      expect(cp.writes()).toHaveLength(1);
    }
  });

  it('the same request sent to both replicas at once yields one remediation', async () => {
    const ws = freshWs();
    const tok = await token(ws, 'alice');
    const send = (app: FastifyInstance) =>
      app.inject({ method: 'POST', url: `/workspaces/${ws}/remediate`, headers: bearer(tok), payload: scale(7) });
    const [x, y] = await Promise.all([send(a), send(b)]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 201]);
    expect(x.json().id).toBe(y.json().id);
  });

  it('two proposals for one target sent to both replicas at once (by different people) make one remediation that counts both', async () => {
    for (let round = 0; round < 3; round++) {
      const ws = freshWs();
      const send = async (app: FastifyInstance, sub: string, replicas: number) =>
        app.inject({ method: 'POST', url: `/workspaces/${ws}/remediate`, headers: bearer(await token(ws, sub)), payload: scale(replicas) });
      const [x, y] = await Promise.all([send(a, 'alice', 3), send(b, 'carol', 4)]);
      expect([x.statusCode, y.statusCode].sort(), `${x.body} ${y.body}`).toEqual([200, 201]);
      expect(x.json().id).toBe(y.json().id);
      const listed = (await a.inject({ url: `/workspaces/${ws}/remediations`, headers: bearer(await token(ws, 'bob')) })).json()
        .remediations;
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ status: 'pending_approval', proposal_count: 2 });
    }
  });

  it('proposals racing on both replicas never pass the cap of pending remediations (REMEDIATION_MAX_PENDING=4)', async () => {
    const ws = freshWs();
    const tok = await token(ws, 'alice');
    const send = (app: FastifyInstance, i: number) =>
      app.inject({
        method: 'POST',
        url: `/workspaces/${ws}/remediate`,
        headers: bearer(tok),
        payload: { actions: [{ action_type: 'resolve_alert', target_resource: `alert/r${i}` }] },
      });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => send(i % 2 ? a : b, i)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 201, 201, 201, 429, 429, 429, 429]);
    for (const r of answers.filter((x) => x.statusCode === 429))
      expect(r.json()).toMatchObject({ reason: 'limit_exceeded', limit: 'pending_remediations', max: 4 });
    const listed = (await b.inject({ url: `/workspaces/${ws}/remediations?status=pending_approval`, headers: bearer(tok) })).json()
      .remediations;
    expect(listed).toHaveLength(4);
  });

  it('an analysis run started on one replica is resumed and executed by an approval on the other', async () => {
    const analyst = await contractToken(key, { workspaceId: wsLeak, sub: 'alice', permissions: ['aiops:read', 'aiops:analyze'] });
    const started = await a.inject({
      method: 'POST',
      url: `/workspaces/${wsLeak}/analyze`,
      headers: bearer(analyst),
      payload: { analysis_type: 'anomaly', time_range_minutes: 360 },
    });
    expect(started.statusCode, started.body).toBe(200);
    const view = started.json();
    expect(view.status).toBe('awaiting_approval');
    const res = await approve(b, wsLeak, view.remediation_id);
    expect(res.json().status).toBe('completed');
    const after = (await a.inject({ url: `/workspaces/${wsLeak}/runs/${view.run_id}`, headers: bearer(analyst) })).json();
    expect(after).toMatchObject({ status: 'completed', remediation: { status: 'executed' } });
    expect(cp.writes().length, JSON.stringify(res.json())).toBeGreaterThan(0);
  });

  it('the hourly execution budget of a workspace is shared by the replicas', async () => {
    const ws = freshWs();
    const ids = [];
    for (let i = 0; i < 4; i++)
      ids.push((await propose(a, ws, { actions: [{ action_type: 'resolve_alert', target_resource: `alert/a${i}` }] })).id);
    const answers = [];
    for (const [i, id] of ids.entries()) answers.push(await approve(i % 2 ? a : b, ws, id));
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    expect(answers[3]!.json()).toMatchObject({ reason: 'execution_rate_limited' });
    expect(Number(answers[3]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      (await b.inject({ url: `/workspaces/${ws}/remediations/${ids[3]}`, headers: bearer(await token(ws, 'bob')) })).json().status,
    ).toBe('pending_approval');
  });
});
