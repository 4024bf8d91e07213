/**
 * Approval-gated remediation through the REST API, against a local server playing the Hexabase
 * control plane: nothing is called before approval; reject and expiry never call; racing approvals
 * execute once; scopes and workspaces are enforced; a failing or hanging control plane leaves
 * `failed` with its message; an analysis run's proposals land here and approving them resumes the run.
 * Hostile input (issue 19): parameters nested thousands of levels deep, `.`/`..` as names, a replica
 * count beyond any override, secrets in the stored row, a second pending remediation for one target,
 * and more pending remediations than a workspace may have.
 */
import BetterSqlite3 from 'better-sqlite3';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlPlaneClient } from '../../src/clients/hexabase.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { startControlPlaneStub, type ControlPlaneStub } from '../helpers/control-plane-stub.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
let clock = NOW;
let key: RsaKey;
let cp: ControlPlaneStub;
let app: FastifyInstance;
const dataDir = `/tmp/aiops-test-data/remediation-api-${process.pid}`;

const REMEDIATE = ['aiops:read', 'aiops:remediate'];
const token = (ws: string, sub = 'alice', permissions: string[] = REMEDIATE) => contractToken(key, { workspaceId: ws, sub, permissions });

beforeAll(async () => {
  key = await rsaKey();
  cp = await startControlPlaneStub();
  const metricsSource = new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace('ws-leak', ['memory_leak'])],
    tenantLabel: 'workspace_id',
    now: () => clock,
  });
  app = await testApp(
    testEnv(key, {
      AIOPS_DATA_DIR: dataDir,
      HEXABASE_API_URL: cp.url,
      HEXABASE_API_TOKEN: 'internal_test_token',
      HEXABASE_API_TIMEOUT_SECONDS: '1',
      REMEDIATION_MAX_REPLICAS: '20',
      REMEDIATION_AUTO_APPROVE_ACTIONS: 'acknowledge_alert',
      REMEDIATION_MAX_PENDING: '4',
    }),
    { metricsSource, now: () => clock },
  );
});
afterAll(async () => {
  await app?.close();
  await cp?.close();
});
beforeEach(() => {
  clock = NOW;
  cp.calls.length = 0;
  cp.behave({ kind: 'ok' });
});

let seq = 0;
/** A fresh workspace per test keeps their remediations apart. */
const freshWs = () => `ws-rem-${process.pid}-${++seq}`;

async function propose(ws: string, body: Record<string, unknown>, tok?: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: `/workspaces/${ws}/remediate`,
    headers: { ...bearer(tok ?? (await token(ws))), ...headers },
    payload: body,
  });
}
async function decide(ws: string, id: string, verb: 'approve' | 'reject' | 'cancel', tok?: string) {
  return app.inject({
    method: 'POST',
    url: `/workspaces/${ws}/remediations/${id}/${verb}`,
    headers: bearer(tok ?? (await token(ws, 'bob'))),
    payload: {},
  });
}
const scale = (replicas: number, extra: Record<string, unknown> = {}, name = 'cart') => ({
  actions: [{ action_type: 'scale', target_resource: `deployment/${name}`, namespace: 'shop', parameters: { replicas, ...extra } }],
});

describe('propose', () => {
  it('answers pending_approval with plan, dry-run result, risk and expiry, and calls nothing', async () => {
    const ws = freshWs();
    const res = await propose(ws, { issue_id: 'INC-1', ...scale(5) });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({
      workspace_id: ws,
      status: 'pending_approval',
      issue_id: 'INC-1',
      requested_by: 'alice',
      approval_required: true,
      risk: 'medium',
      source: { kind: 'api' },
    });
    expect(r.plan).toEqual([
      expect.objectContaining({
        index: 0,
        action_type: 'scale',
        description: 'scale deployment/cart to 5 replicas',
        executable: true,
        dry_run: false,
      }),
    ]);
    expect(r.dry_run_result.ok).toBe(true);
    expect(r.dry_run_result.summary).toMatch(/nothing has been changed/);
    expect(Date.parse(r.expires_at) - clock).toBe(30 * 60_000);
    expect(res.headers.location).toBe(`/workspaces/${ws}/remediations/${r.id}`);
    expect(cp.calls).toEqual([]);
    const listed = await app.inject({
      url: `/workspaces/${ws}/remediations?status=pending_approval`,
      headers: bearer(await token(ws, 'carol', ['aiops:read'])),
    });
    expect(listed.json().remediations.map((x: { id: string }) => x.id)).toEqual([r.id]);
  });

  it('the same request twice yields the same remediation (and so does the same Idempotency-Key)', async () => {
    const ws = freshWs();
    const first = await propose(ws, scale(3));
    const again = await propose(ws, scale(3));
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const k1 = await propose(ws, scale(4, {}, 'checkout'), undefined, { 'idempotency-key': 'deploy-42' });
    const k2 = await propose(ws, scale(6, {}, 'checkout'), undefined, { 'idempotency-key': 'deploy-42' });
    expect(k1.statusCode).toBe(201);
    expect(k2.json().id).toBe(k1.json().id);
    expect(k2.json().plan[0].parameters.replicas).toBe(4);
  });

  it.each([
    [scale(0), /scaling to 0 replicas stops the workload: set parameters.override/],
    [scale(21), /above the limit of 20/],
    [
      { actions: [{ action_type: 'scale', target_resource: 'pod/cart-0', parameters: { replicas: 2 } }] },
      /scale targets deployment\/<name>, not pod\/cart-0/,
    ],
    [
      { actions: [{ action_type: 'restart_pod', target_resource: 'pod/x', parameters: { force: true } }] },
      /does not take parameter\(s\) force/,
    ],
    [
      { actions: [{ action_type: 'scale', target_resource: 'deployment/x', parameters: { replicas: 2, workspace_id: 'ws-b' } }] },
      /may not name a workspace/,
    ],
    [{ actions: [{ action_type: 'delete_namespace', target_resource: 'namespace/shop' }] }, /action_type/],
    [{ actions: [] }, /at least one action/],
  ])('refuses an invalid request with a 400 that says what is wrong (%#)', async (body, message) => {
    const res = await propose(freshWs(), body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('scaling to 0 or above the maximum is possible with an explicit override, at high risk', async () => {
    const res = await propose(freshWs(), scale(0, { override: true }));
    expect(res.statusCode).toBe(201);
    expect(res.json().risk).toBe('high');
  });

  it('approval_required: false is honoured for dry runs (nothing is called) and for allow-listed admin actions only', async () => {
    const ws = freshWs();
    const dry = await propose(ws, {
      approval_required: false,
      actions: [{ action_type: 'restart_application', target_resource: 'application/cart', dry_run: true }],
    });
    expect(dry.statusCode, dry.body).toBe(201);
    expect(dry.json()).toMatchObject({
      status: 'completed',
      results: [{ status: 'dry_run', message: expect.stringMatching(/would POST \/api\/v1\/workspaces\/.*\/applications\/cart\/restart/) }],
    });
    expect(cp.calls).toEqual([]);

    const notAdmin = await propose(ws, {
      approval_required: false,
      actions: [{ action_type: 'acknowledge_alert', target_resource: 'alert/a1' }],
    });
    expect(notAdmin.statusCode).toBe(403);
    expect(notAdmin.json().reason).toBe('approval_required');
    const adminTok = await token(ws, 'root', ['aiops:admin']);
    const notListed = await propose(
      ws,
      { approval_required: false, actions: [{ action_type: 'restart_application', target_resource: 'application/cart' }] },
      adminTok,
    );
    expect(notListed.statusCode).toBe(403);
    expect(notListed.json().message).toMatch(/cannot be waived for restart_application/);
    const listed = await propose(
      ws,
      { approval_required: false, actions: [{ action_type: 'acknowledge_alert', target_resource: 'alert/a1' }] },
      adminTok,
    );
    expect(listed.statusCode, listed.body).toBe(201);
    expect(listed.json().status).toBe('completed');
    expect(cp.writes().map((c) => c.path)).toEqual([`/api/v1/workspaces/${ws}/monitoring/alerts/a1/acknowledge`]);
  });
});

describe('decide and execute', () => {
  it('approve executes through the control plane as the approver, once, with an idempotency key; the record says so', async () => {
    const ws = freshWs();
    const r = (
      await propose(ws, { actions: [...scale(5).actions, { action_type: 'restart_application', target_resource: 'application/cart' }] })
    ).json();
    const bobToken = await token(ws, 'bob');
    const res = await decide(ws, r.id, 'approve', bobToken);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', decision: { decision: 'approved', by: 'bob' }, error: null });
    expect(res.json().results.map((x: { status: string }) => x.status)).toEqual(['completed', 'completed']);
    const [scaleCall, restartCall] = cp.writes();
    expect(scaleCall).toMatchObject({
      method: 'POST',
      path: `/internal/v1/workspaces/${ws}/deployments/cart/scale`,
      body: { replicas: 5, namespace: 'shop' },
    });
    expect(scaleCall!.headers.authorization).toBe('Bearer internal_test_token');
    expect(scaleCall!.headers['x-hexabase-user-token']).toBe(bobToken);
    expect(scaleCall!.headers['idempotency-key']).toBe(`${r.id}:0`);
    expect(restartCall).toMatchObject({ path: `/api/v1/workspaces/${ws}/applications/cart/restart` });
    expect(restartCall!.headers.authorization).toBe(`Bearer ${bobToken}`);
    expect(cp.writes()).toHaveLength(2);
    // Decided once: a second approval is refused and calls nothing.
    const again = await decide(ws, r.id, 'approve');
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(/is completed/);
    expect(cp.writes()).toHaveLength(2);
  });

  it('reject never calls the control plane', async () => {
    const ws = freshWs();
    const r = (await propose(ws, scale(2))).json();
    const res = await decide(ws, r.id, 'reject');
    expect(res.json()).toMatchObject({ status: 'rejected', decision: { decision: 'rejected', by: 'bob' } });
    expect((await decide(ws, r.id, 'approve')).statusCode).toBe(409);
    expect(cp.calls).toEqual([]);
  });

  it('an expired remediation cannot be approved and never calls', async () => {
    const ws = freshWs();
    const r = (await propose(ws, scale(2))).json();
    clock = NOW + 31 * 60_000;
    const read = await app.inject({ url: `/workspaces/${ws}/remediations/${r.id}`, headers: bearer(await token(ws)) });
    expect(read.json()).toMatchObject({ status: 'expired', error: expect.stringMatching(/expired/) });
    const res = await decide(ws, r.id, 'approve');
    expect(res.statusCode).toBe(409);
    expect(res.json().message).toMatch(/is expired/);
    expect(cp.calls).toEqual([]);
  });

  it('two approvals racing execute once', async () => {
    const ws = freshWs();
    cp.behave({ kind: 'ok', delayMs: 200 });
    const r = (await propose(ws, scale(4))).json();
    const [a, b] = await Promise.all([
      decide(ws, r.id, 'approve', await token(ws, 'bob')),
      decide(ws, r.id, 'approve', await token(ws, 'carol')),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect(cp.writes()).toHaveLength(1);
  });

  it('one remediation at a time per target: a second one on the same deployment waits its turn', async () => {
    const ws = freshWs();
    cp.behave({ kind: 'ok', delayMs: 400 });
    const first = (await propose(ws, scale(4))).json();
    const running = decide(ws, first.id, 'approve');
    await new Promise((r) => setTimeout(r, 100));
    // The first is no longer pending (it runs), so this is a new remediation rather than a join.
    const proposed = await propose(ws, scale(6));
    expect(proposed.statusCode).toBe(201);
    const second = proposed.json();
    const blocked = await decide(ws, second.id, 'approve');
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json()).toMatchObject({ reason: 'target_locked', message: expect.stringMatching(/deployment\/cart/) });
    expect((await running).json().status).toBe('completed');
    expect((await decide(ws, second.id, 'approve')).json().status).toBe('completed');
    expect(cp.writes().map((c) => (c.body as { replicas: number }).replicas)).toEqual([4, 6]);
  });

  it('a failing control plane leaves failed with its message (idempotent calls retried once, others not)', async () => {
    const ws = freshWs();
    cp.behave({ kind: 'fail', status: 503, message: 'workspace is suspended' });
    const r = (await propose(ws, scale(3))).json();
    const res = await decide(ws, r.id, 'approve');
    expect(res.json()).toMatchObject({ status: 'failed', error: expect.stringMatching(/HTTP 503: workspace is suspended/) });
    expect(res.json().results[0]).toMatchObject({ status: 'failed', upstream_status: 503 });
    expect(cp.writes()).toHaveLength(2);

    cp.calls.length = 0;
    const restart = (
      await propose(ws, {
        actions: [
          { action_type: 'restart_application', target_resource: 'application/cart' },
          { action_type: 'resolve_alert', target_resource: 'alert/a9' },
        ],
      })
    ).json();
    const failed = await decide(ws, restart.id, 'approve');
    expect(failed.json().results.map((x: { status: string }) => x.status)).toEqual(['failed', 'skipped']);
    expect(cp.writes()).toHaveLength(1); // a restart is not idempotent: never retried; the next step is not run
  });

  it('a hanging control plane times out and leaves failed', async () => {
    const ws = freshWs();
    cp.behave({ kind: 'hang' });
    const r = (
      await propose(ws, {
        actions: [{ action_type: 'rollback_function', target_resource: 'function/resize', parameters: { version: 'v3' } }],
      })
    ).json();
    const res = await decide(ws, r.id, 'approve');
    expect(res.json()).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/did not answer POST .*functions\/resize\/rollback \(no answer within 1000 ms\)/),
    });
  });

  it('actions without a control-plane endpoint complete as "apply by hand" and call nothing', async () => {
    const ws = freshWs();
    const r = (
      await propose(ws, {
        actions: [{ action_type: 'expand_volume', target_resource: 'pvc/data-postgres-0', parameters: { size: '20Gi' } }],
      })
    ).json();
    expect(r.plan[0].executable).toBe(false);
    const res = await decide(ws, r.id, 'approve');
    expect(res.json()).toMatchObject({
      status: 'completed',
      results: [{ status: 'skipped', message: expect.stringMatching(/apply by hand/) }],
    });
    expect(cp.calls).toEqual([]);
  });

  it('the requester can cancel; others (not admins) cannot', async () => {
    const ws = freshWs();
    const r = (await propose(ws, scale(2))).json();
    expect((await decide(ws, r.id, 'cancel', await token(ws, 'bob'))).statusCode).toBe(403);
    expect((await decide(ws, r.id, 'cancel', await token(ws, 'alice'))).json().status).toBe('cancelled');
  });
});

describe('who may do what', () => {
  it('a token without aiops:remediate can neither propose nor approve', async () => {
    const ws = freshWs();
    const analyst = await token(ws, 'eve', ['aiops:read', 'aiops:analyze']);
    const proposed = await propose(ws, scale(2), analyst);
    expect(proposed.statusCode).toBe(403);
    expect(proposed.json()).toMatchObject({ reason: 'missing_scope', required_scope: 'aiops:remediate' });
    const r = (await propose(ws, scale(2))).json();
    const approved = await decide(ws, r.id, 'approve', analyst);
    expect(approved.statusCode).toBe(403);
    expect(cp.calls).toEqual([]);
  });

  it("a workspace-A token cannot see or approve workspace B's remediation", async () => {
    const wsA = freshWs();
    const wsB = freshWs();
    const r = (await propose(wsB, scale(2))).json();
    const aToken = await token(wsA, 'mallory');
    const viaB = await app.inject({
      method: 'POST',
      url: `/workspaces/${wsB}/remediations/${r.id}/approve`,
      headers: bearer(aToken),
      payload: {},
    });
    expect(viaB.statusCode).toBe(403);
    expect(viaB.json().reason).toBe('workspace_mismatch');
    const viaA = await app.inject({
      method: 'POST',
      url: `/workspaces/${wsA}/remediations/${r.id}/approve`,
      headers: bearer(aToken),
      payload: {},
    });
    expect(viaA.statusCode).toBe(404);
    expect((await app.inject({ url: `/workspaces/${wsA}/remediations/${r.id}`, headers: bearer(aToken) })).statusCode).toBe(404);
    expect((await app.inject({ url: `/workspaces/${wsA}/remediations`, headers: bearer(aToken) })).json().remediations).toEqual([]);
    expect(cp.calls).toEqual([]);
  });
});

describe('from an analysis run', () => {
  it('the proposals become a pending remediation; approving it executes it, then resumes the run with the outcome', async () => {
    const analyst = await contractToken(key, { workspaceId: 'ws-leak', sub: 'alice', permissions: ['aiops:read', 'aiops:analyze'] });
    const run = await app.inject({
      method: 'POST',
      url: '/workspaces/ws-leak/analyze',
      headers: bearer(analyst),
      payload: { analysis_type: 'anomaly', time_range_minutes: 360 },
    });
    expect(run.statusCode, run.body).toBe(200);
    const view = run.json();
    expect(view.status).toBe('awaiting_approval');
    expect(view.remediation_id).toEqual(expect.any(String));
    const pending = await app.inject({ url: `/workspaces/ws-leak/remediations/${view.remediation_id}`, headers: bearer(analyst) });
    expect(pending.json()).toMatchObject({
      status: 'pending_approval',
      source: { kind: 'analysis', run_id: view.run_id },
      requested_by: 'alice',
    });
    expect(pending.json().plan.map((s: { action_type: string }) => s.action_type)).toEqual(
      view.proposed_actions.map((a: { action_type: string }) => a.action_type),
    );
    expect(cp.calls).toEqual([]);

    const approved = await decide('ws-leak', view.remediation_id, 'approve', await token('ws-leak', 'bob'));
    expect(approved.json()).toMatchObject({ status: 'completed', decision: { by: 'bob' } });
    expect(cp.writes().map((c) => c.path)).toContain('/api/v1/workspaces/ws-leak/applications/api/restart');
    const after = (await app.inject({ url: `/workspaces/ws-leak/runs/${view.run_id}`, headers: bearer(analyst) })).json();
    expect(after).toMatchObject({
      status: 'completed',
      approval: { decision: 'approved', by: 'bob' },
      remediation: { status: 'executed' },
    });
    expect(after.remediation.results).toEqual(approved.json().results); // the service's report, step for step
  });
});

describe('from an analysis run, expired', () => {
  it('an expired remediation closes its run as rejected, and nothing is executed', async () => {
    const analyst = await contractToken(key, { workspaceId: 'ws-leak', sub: 'alice', permissions: ['aiops:read', 'aiops:analyze'] });
    const view = (
      await app.inject({
        method: 'POST',
        url: '/workspaces/ws-leak/analyze',
        headers: bearer(analyst),
        payload: { analysis_type: 'anomaly', time_range_minutes: 360 },
      })
    ).json();
    expect(view.status).toBe('awaiting_approval');
    clock = NOW + 31 * 60_000;
    const read = await app.inject({ url: `/workspaces/ws-leak/remediations/${view.remediation_id}`, headers: bearer(analyst) });
    expect(read.json().status).toBe('expired');
    const after = (await app.inject({ url: `/workspaces/ws-leak/runs/${view.run_id}`, headers: bearer(analyst) })).json();
    expect(after).toMatchObject({
      status: 'completed',
      approval: { decision: 'rejected', by: 'system:expiry' },
      remediation: { status: 'rejected' },
    });
    expect(cp.calls).toEqual([]);
  });
});

describe('the audit trail', () => {
  it('records every state change of a remediation', async () => {
    const ws = freshWs();
    const r = (await propose(ws, scale(2))).json();
    await decide(ws, r.id, 'approve');
    const admin = await token(ws, 'root', ['aiops:admin']);
    let states: string[] = [];
    for (let i = 0; i < 60 && states.length < 5; i++) {
      const res = await app.inject({ url: `/workspaces/${ws}/audit?event_type=remediation&limit=100`, headers: bearer(admin) });
      states = (res.json().events ?? [])
        .filter((e: { resource_id: string }) => e.resource_id === r.id)
        .map((e: { outcome: string }) => e.outcome);
      if (states.length < 5) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(states.sort()).toEqual(['approved', 'completed', 'executed', 'proposed', 'running']);
  });
});

describe('hostile input (issue 19)', () => {
  const nest = (levels: number) => {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = { a: v };
    return v as Record<string, unknown>;
  };
  const adjust = (parameters: unknown) => ({
    actions: [{ action_type: 'adjust_resources', target_resource: 'deployment/cart', parameters }],
  });

  it('parameters nested 5,000 levels deep get a 400 saying the nesting is too deep (not a 500), and nothing is stored', async () => {
    const ws = freshWs();
    let nested = '1';
    for (let i = 0; i < 5000; i++) nested = `{"a":${nested}}`;
    const payload = `{"actions":[{"action_type":"adjust_resources","target_resource":"deployment/cart","parameters":${nested}}]}`;
    const res = await app.inject({
      method: 'POST',
      url: `/workspaces/${ws}/remediate`,
      headers: { ...bearer(await token(ws)), 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(/parameters nesting is too deep: at most 8 levels/);
    // The bound is exact: 8 levels are accepted, 9 are not; arrays count as levels; keys and size are bounded too.
    expect((await propose(ws, adjust(nest(8)))).statusCode).toBe(201);
    expect((await propose(ws, adjust({ ...nest(9), other: 1 }))).json().message).toMatch(/nesting is too deep/);
    expect((await propose(ws, adjust({ a: [[[[[[[[1]]]]]]]] }))).json().message).toMatch(/nesting is too deep/);
    expect((await propose(ws, adjust(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]))))).json().message).toMatch(
      /too many keys and items: at most 100/,
    );
    expect((await propose(ws, adjust({ note: 'x'.repeat(9000) }))).json().message).toMatch(/too large: \d+ bytes of JSON, at most 8192/);
    const listed = await app.inject({ url: `/workspaces/${ws}/remediations`, headers: bearer(await token(ws)) });
    expect(listed.json().remediations).toHaveLength(1);
  });

  it.each([
    ['scale', 'deployment/..', { replicas: 2 }, /deployment name "\.\." is not valid: it must be a DNS-1123 subdomain/],
    ['scale', 'deployment/.', { replicas: 2 }, /deployment name "\." is not valid/],
    ['scale', 'deployment/Cart', { replicas: 2 }, /deployment name "Cart" is not valid/],
    ['scale', 'deployment/cart.', { replicas: 2 }, /DNS-1123 subdomain/],
    ['restart_pod', 'pod/-api-0', {}, /pod name "-api-0" is not valid/],
    ['restart_application', 'application/..', {}, /application name "\.\." is not valid: it must be an id/],
    ['acknowledge_alert', 'alert/.', {}, /alert name "\." is not valid/],
    ['rollback_function', 'function/..', {}, /function name "\.\." is not valid/],
    ['restart_pod', 'pod/api-0', { application_id: '..' }, /parameters\.application_id must be an id/],
    ['rollback_function', 'function/resize', { version: '.' }, /parameters\.version must be an id/],
    ['rollback_function', 'function/resize', { function_id: '..' }, /parameters\.function_id must be an id/],
  ])(
    '%s %s (%j) is refused with a 400 naming the rule, and nothing reaches the control plane',
    async (action_type, target_resource, parameters, message) => {
      const ws = freshWs();
      const res = await propose(ws, { actions: [{ action_type, target_resource, namespace: 'shop', parameters }] });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toMatch(message);
      expect(cp.calls).toEqual([]);
    },
  );

  it('namespaces must be DNS-1123 labels', async () => {
    for (const namespace of ['..', 'Shop', 'shop-', '-shop', 'a'.repeat(64)]) {
      const res = await propose(freshWs(), {
        actions: [{ action_type: 'scale', target_resource: 'deployment/cart', namespace, parameters: { replicas: 2 } }],
      });
      expect(res.statusCode, namespace).toBe(400);
      expect(res.json().message).toMatch(/must be a Kubernetes namespace name: a DNS-1123 label/);
    }
  });

  it('every path segment sent to the control plane is percent-encoded, and ".", ".." or empty segments are refused before anything is sent', async () => {
    const client = new ControlPlaneClient({ baseUrl: `${cp.url}/`, internalToken: 'internal_test_token', timeoutMs: 1000 });
    const write = (name: string) =>
      client.send({
        method: 'POST',
        segments: ['api', 'v1', 'workspaces', 'ws-x', 'applications', name, 'restart'],
        body: {},
        actAs: 'user',
        idempotent: false,
        userToken: 'user-token',
        idempotencyKey: 'k:0',
      });
    await write('a/b?c#d %2e%2e');
    await client.workspaceOverview('ws/../other');
    expect(cp.calls.map((c) => c.path)).toEqual([
      '/api/v1/workspaces/ws-x/applications/a%2Fb%3Fc%23d%20%252e%252e/restart',
      '/internal/v1/workspaces/ws%2F..%2Fother/overview',
    ]);
    for (const bad of ['..', '.', '']) await expect(write(bad)).rejects.toThrow(/refusing to call the control plane with the path segment/);
    await expect(client.workspaceOverview('..')).rejects.toThrow(/path segment "\.\."/);
    expect(cp.calls).toHaveLength(2);
  });

  it('override lifts the soft replica limit only: above the hard ceiling (10 × REMEDIATION_MAX_REPLICAS) it is a 400', async () => {
    const ws = freshWs();
    const above = await propose(ws, scale(201, { override: true }));
    expect(above.statusCode, above.body).toBe(400);
    expect(above.json().message).toMatch(/above the hard ceiling of 200 \(REMEDIATION_MAX_REPLICAS_OVERRIDE\), which no override lifts/);
    expect((await propose(ws, scale(1_000_000, { override: true }))).statusCode).toBe(400);
    const at = await propose(ws, scale(200, { override: true }));
    expect(at.statusCode, at.body).toBe(201);
    expect(at.json().risk).toBe('high');
  });

  it('secrets in the reason, parameters and comments are masked in the stored row', async () => {
    const ws = freshWs();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJl';
    const r = (
      await propose(ws, {
        reason: `after the leak: password=hunter2-api-test and ${jwt}`,
        actions: [
          { action_type: 'acknowledge_alert', target_resource: 'alert/a7', parameters: { comment: 'api_key=sk-abcdefghijklmnopqrstuvwx' } },
        ],
      })
    ).json();
    await app.inject({
      method: 'POST',
      url: `/workspaces/${ws}/remediations/${r.id}/approve`,
      headers: bearer(await token(ws, 'bob')),
      payload: { comment: 'Bearer abcdefghijklmnopqrstuvwxyz' },
    });
    const db = new BetterSqlite3(path.join(dataDir, 'remediations.sqlite'), { readonly: true });
    const row = db.prepare('SELECT doc FROM aiops_remediations WHERE id = ?').get(r.id) as { doc: string };
    db.close();
    expect(row.doc).toContain('after the leak: password=[redacted]');
    for (const secret of ['hunter2-api-test', jwt, 'sk-abcdefghijklmnopqrstuvwx', 'abcdefghijklmnopqrstuvwxyz'])
      expect(row.doc).not.toContain(secret);
    // What was sent to the control plane is the stored (masked) comment.
    expect(cp.writes()[0]!.body).toEqual({ comment: 'api_key=[redacted]' });
  });
});

describe('one pending remediation per target, and a cap per workspace', () => {
  it('a second proposal for a pending target joins it: 200 with the same remediation, counted, its proposer recorded and audited', async () => {
    const ws = freshWs();
    const first = await propose(ws, scale(3));
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ proposal_count: 1, proposals: [{ requested_by: 'alice', source: { kind: 'api' } }] });
    const second = await propose(ws, scale(5), await token(ws, 'carol'));
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ id: first.json().id, status: 'pending_approval', proposal_count: 2, requested_by: 'alice' });
    expect(second.json().proposals.map((p: { requested_by: string }) => p.requested_by)).toEqual(['alice', 'carol']);
    expect(second.json().plan[0].parameters.replicas).toBe(3); // the pending plan stands; cancel it to propose another
    // Another target, or a dry run on the same one, is its own remediation.
    expect((await propose(ws, scale(2, {}, 'checkout'))).statusCode).toBe(201);
    expect((await propose(ws, { actions: [{ ...scale(9).actions[0], dry_run: true }] })).statusCode).toBe(201);
    const pending = (
      await app.inject({ url: `/workspaces/${ws}/remediations?status=pending_approval`, headers: bearer(await token(ws)) })
    ).json().remediations;
    expect(pending).toHaveLength(3);

    const admin = await token(ws, 'root', ['aiops:admin']);
    let joined: { user_id: string; outcome: string }[] = [];
    for (let i = 0; i < 60 && joined.length === 0; i++) {
      const res = await app.inject({ url: `/workspaces/${ws}/audit?event_type=remediation&limit=100`, headers: bearer(admin) });
      joined = (res.json().events ?? []).filter(
        (e: { resource_id: string; outcome: string }) => e.resource_id === first.json().id && e.outcome === 'joined',
      );
      if (joined.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(joined.map((e) => e.user_id)).toEqual(['carol']);
  });

  it('beyond REMEDIATION_MAX_PENDING a new proposal gets 429 naming the limit, with Retry-After; joining and freeing a slot still work', async () => {
    const ws = freshWs();
    const alert = (i: number) => ({ actions: [{ action_type: 'resolve_alert', target_resource: `alert/a${i}` }] });
    const ids = [];
    for (let i = 0; i < 4; i++) {
      const res = await propose(ws, alert(i));
      expect(res.statusCode).toBe(201);
      ids.push(res.json().id);
      clock += 60_000;
    }
    const refused = await propose(ws, alert(4));
    expect(refused.statusCode, refused.body).toBe(429);
    expect(refused.json()).toMatchObject({
      reason: 'limit_exceeded',
      limit: 'pending_remediations',
      message: expect.stringMatching(/already has 4 remediations awaiting approval \(the limit is 4\)/),
    });
    // The oldest pending one expires in 30 min − 4 min.
    expect(Number(refused.headers['retry-after'])).toBe(26 * 60);
    const join = await propose(ws, alert(2), await token(ws, 'carol'));
    expect(join.statusCode).toBe(200);
    expect(join.json().id).toBe(ids[2]);
    expect((await decide(ws, ids[0], 'cancel', await token(ws, 'alice'))).json().status).toBe('cancelled');
    expect((await propose(ws, alert(4))).statusCode).toBe(201);
  });
});

describe('analysis runs joining one remediation', () => {
  it('a second run proposing for the same target joins the pending remediation, and approving it resumes both runs; it executes once', async () => {
    const analyst = await contractToken(key, { workspaceId: 'ws-leak', sub: 'alice', permissions: ['aiops:read', 'aiops:analyze'] });
    const analyze = () =>
      app.inject({
        method: 'POST',
        url: '/workspaces/ws-leak/analyze',
        headers: bearer(analyst),
        payload: { analysis_type: 'anomaly', time_range_minutes: 360 },
      });
    const one = (await analyze()).json();
    const two = (await analyze()).json();
    expect([one.status, two.status]).toEqual(['awaiting_approval', 'awaiting_approval']);
    expect(two.remediation_id).toBe(one.remediation_id);
    const pending = (await app.inject({ url: `/workspaces/ws-leak/remediations/${one.remediation_id}`, headers: bearer(analyst) })).json();
    expect(pending).toMatchObject({ status: 'pending_approval', proposal_count: 2 });
    expect(pending.proposals.map((p: { source: { run_id: string } }) => p.source.run_id)).toEqual([one.run_id, two.run_id]);

    const approved = await decide('ws-leak', one.remediation_id, 'approve', await token('ws-leak', 'bob'));
    expect(approved.json()).toMatchObject({ status: 'completed', decision: { by: 'bob' } });
    for (const run of [one, two]) {
      const after = (await app.inject({ url: `/workspaces/ws-leak/runs/${run.run_id}`, headers: bearer(analyst) })).json();
      expect(after, run.run_id).toMatchObject({
        status: 'completed',
        approval: { decision: 'approved', by: 'bob' },
        remediation: { status: 'executed' },
      });
    }
    expect(cp.writes().filter((c) => c.path === '/api/v1/workspaces/ws-leak/applications/api/restart')).toHaveLength(1);
  });
});
