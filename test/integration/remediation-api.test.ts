/**
 * Approval-gated remediation through the REST API, against a local server playing the Hexabase
 * control plane: nothing is called before approval; reject and expiry never call; racing approvals
 * execute once; scopes and workspaces are enforced; a failing or hanging control plane leaves
 * `failed` with its message; an analysis run's proposals land here and approving them resumes the run.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
  const metricsSource = new EmbeddedMetricsSource({ workspaces: [scenarioWorkspace('ws-leak', ['memory_leak'])], tenantLabel: 'workspace_id', now: () => clock });
  app = await testApp(testEnv(key, {
    AIOPS_DATA_DIR: dataDir,
    HEXABASE_API_URL: cp.url,
    HEXABASE_API_TOKEN: 'internal_test_token',
    HEXABASE_API_TIMEOUT_SECONDS: '1',
    REMEDIATION_MAX_REPLICAS: '20',
    REMEDIATION_AUTO_APPROVE_ACTIONS: 'acknowledge_alert',
  }), { metricsSource, now: () => clock });
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
  return app.inject({ method: 'POST', url: `/workspaces/${ws}/remediate`, headers: { ...bearer(tok ?? (await token(ws))), ...headers }, payload: body });
}
async function decide(ws: string, id: string, verb: 'approve' | 'reject' | 'cancel', tok?: string) {
  return app.inject({ method: 'POST', url: `/workspaces/${ws}/remediations/${id}/${verb}`, headers: bearer(tok ?? (await token(ws, 'bob'))), payload: {} });
}
const scale = (replicas: number, extra: Record<string, unknown> = {}) => ({ actions: [{ action_type: 'scale', target_resource: 'deployment/cart', namespace: 'shop', parameters: { replicas, ...extra } }] });

describe('propose', () => {
  it('answers pending_approval with plan, dry-run result, risk and expiry, and calls nothing', async () => {
    const ws = freshWs();
    const res = await propose(ws, { issue_id: 'INC-1', ...scale(5) });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({ workspace_id: ws, status: 'pending_approval', issue_id: 'INC-1', requested_by: 'alice', approval_required: true, risk: 'medium', source: { kind: 'api' } });
    expect(r.plan).toEqual([expect.objectContaining({ index: 0, action_type: 'scale', description: 'scale deployment/cart to 5 replicas', executable: true, dry_run: false })]);
    expect(r.dry_run_result.ok).toBe(true);
    expect(r.dry_run_result.summary).toMatch(/nothing has been changed/);
    expect(Date.parse(r.expires_at) - clock).toBe(30 * 60_000);
    expect(res.headers.location).toBe(`/workspaces/${ws}/remediations/${r.id}`);
    expect(cp.calls).toEqual([]);
    const listed = await app.inject({ url: `/workspaces/${ws}/remediations?status=pending_approval`, headers: bearer(await token(ws, 'carol', ['aiops:read'])) });
    expect(listed.json().remediations.map((x: { id: string }) => x.id)).toEqual([r.id]);
  });

  it('the same request twice yields the same remediation (and so does the same Idempotency-Key)', async () => {
    const ws = freshWs();
    const first = await propose(ws, scale(3));
    const again = await propose(ws, scale(3));
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
    const k1 = await propose(ws, scale(4), undefined, { 'idempotency-key': 'deploy-42' });
    const k2 = await propose(ws, scale(6), undefined, { 'idempotency-key': 'deploy-42' });
    expect(k1.statusCode).toBe(201);
    expect(k2.json().id).toBe(k1.json().id);
    expect(k2.json().plan[0].parameters.replicas).toBe(4);
  });

  it.each([
    [scale(0), /scaling to 0 replicas stops the workload: set parameters.override/],
    [scale(21), /above the limit of 20/],
    [{ actions: [{ action_type: 'scale', target_resource: 'pod/cart-0', parameters: { replicas: 2 } }] }, /scale targets deployment\/<name>, not pod\/cart-0/],
    [{ actions: [{ action_type: 'restart_pod', target_resource: 'pod/x', parameters: { force: true } }] }, /does not take parameter\(s\) force/],
    [{ actions: [{ action_type: 'scale', target_resource: 'deployment/x', parameters: { replicas: 2, workspace_id: 'ws-b' } }] }, /may not name a workspace/],
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
    const dry = await propose(ws, { approval_required: false, actions: [{ action_type: 'restart_application', target_resource: 'application/cart', dry_run: true }] });
    expect(dry.statusCode, dry.body).toBe(201);
    expect(dry.json()).toMatchObject({ status: 'completed', results: [{ status: 'dry_run', message: expect.stringMatching(/would POST \/api\/v1\/workspaces\/.*\/applications\/cart\/restart/) }] });
    expect(cp.calls).toEqual([]);

    const notAdmin = await propose(ws, { approval_required: false, actions: [{ action_type: 'acknowledge_alert', target_resource: 'alert/a1' }] });
    expect(notAdmin.statusCode).toBe(403);
    expect(notAdmin.json().reason).toBe('approval_required');
    const adminTok = await token(ws, 'root', ['aiops:admin']);
    const notListed = await propose(ws, { approval_required: false, actions: [{ action_type: 'restart_application', target_resource: 'application/cart' }] }, adminTok);
    expect(notListed.statusCode).toBe(403);
    expect(notListed.json().message).toMatch(/cannot be waived for restart_application/);
    const listed = await propose(ws, { approval_required: false, actions: [{ action_type: 'acknowledge_alert', target_resource: 'alert/a1' }] }, adminTok);
    expect(listed.statusCode, listed.body).toBe(201);
    expect(listed.json().status).toBe('completed');
    expect(cp.writes().map((c) => c.path)).toEqual([`/api/v1/workspaces/${ws}/monitoring/alerts/a1/acknowledge`]);
  });
});

describe('decide and execute', () => {
  it('approve executes through the control plane as the approver, once, with an idempotency key; the record says so', async () => {
    const ws = freshWs();
    const r = (await propose(ws, { actions: [...scale(5).actions, { action_type: 'restart_application', target_resource: 'application/cart' }] })).json();
    const bobToken = await token(ws, 'bob');
    const res = await decide(ws, r.id, 'approve', bobToken);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', decision: { decision: 'approved', by: 'bob' }, error: null });
    expect(res.json().results.map((x: { status: string }) => x.status)).toEqual(['completed', 'completed']);
    const [scaleCall, restartCall] = cp.writes();
    expect(scaleCall).toMatchObject({ method: 'POST', path: `/internal/v1/workspaces/${ws}/deployments/cart/scale`, body: { replicas: 5, namespace: 'shop' } });
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
    const [a, b] = await Promise.all([decide(ws, r.id, 'approve', await token(ws, 'bob')), decide(ws, r.id, 'approve', await token(ws, 'carol'))]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect(cp.writes()).toHaveLength(1);
  });

  it('one remediation at a time per target: a second one on the same deployment waits its turn', async () => {
    const ws = freshWs();
    cp.behave({ kind: 'ok', delayMs: 400 });
    const first = (await propose(ws, scale(4))).json();
    const second = (await propose(ws, scale(6))).json();
    const running = decide(ws, first.id, 'approve');
    await new Promise((r) => setTimeout(r, 100));
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
    const restart = (await propose(ws, { actions: [{ action_type: 'restart_application', target_resource: 'application/cart' }, { action_type: 'resolve_alert', target_resource: 'alert/a9' }] })).json();
    const failed = await decide(ws, restart.id, 'approve');
    expect(failed.json().results.map((x: { status: string }) => x.status)).toEqual(['failed', 'skipped']);
    expect(cp.writes()).toHaveLength(1); // a restart is not idempotent: never retried; the next step is not run
  });

  it('a hanging control plane times out and leaves failed', async () => {
    const ws = freshWs();
    cp.behave({ kind: 'hang' });
    const r = (await propose(ws, { actions: [{ action_type: 'rollback_function', target_resource: 'function/resize', parameters: { version: 'v3' } }] })).json();
    const res = await decide(ws, r.id, 'approve');
    expect(res.json()).toMatchObject({ status: 'failed', error: expect.stringMatching(/did not answer POST .*functions\/resize\/rollback \(no answer within 1000 ms\)/) });
  });

  it('actions without a control-plane endpoint complete as "apply by hand" and call nothing', async () => {
    const ws = freshWs();
    const r = (await propose(ws, { actions: [{ action_type: 'expand_volume', target_resource: 'pvc/data-postgres-0', parameters: { size: '20Gi' } }] })).json();
    expect(r.plan[0].executable).toBe(false);
    const res = await decide(ws, r.id, 'approve');
    expect(res.json()).toMatchObject({ status: 'completed', results: [{ status: 'skipped', message: expect.stringMatching(/apply by hand/) }] });
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
    const viaB = await app.inject({ method: 'POST', url: `/workspaces/${wsB}/remediations/${r.id}/approve`, headers: bearer(aToken), payload: {} });
    expect(viaB.statusCode).toBe(403);
    expect(viaB.json().reason).toBe('workspace_mismatch');
    const viaA = await app.inject({ method: 'POST', url: `/workspaces/${wsA}/remediations/${r.id}/approve`, headers: bearer(aToken), payload: {} });
    expect(viaA.statusCode).toBe(404);
    expect((await app.inject({ url: `/workspaces/${wsA}/remediations/${r.id}`, headers: bearer(aToken) })).statusCode).toBe(404);
    expect((await app.inject({ url: `/workspaces/${wsA}/remediations`, headers: bearer(aToken) })).json().remediations).toEqual([]);
    expect(cp.calls).toEqual([]);
  });
});

describe('from an analysis run', () => {
  it('the proposals become a pending remediation; approving it resumes the run, which executes it', async () => {
    const analyst = await contractToken(key, { workspaceId: 'ws-leak', sub: 'alice', permissions: ['aiops:read', 'aiops:analyze'] });
    const run = await app.inject({ method: 'POST', url: '/workspaces/ws-leak/analyze', headers: bearer(analyst), payload: { analysis_type: 'anomaly', time_range_minutes: 360 } });
    expect(run.statusCode, run.body).toBe(200);
    const view = run.json();
    expect(view.status).toBe('awaiting_approval');
    expect(view.remediation_id).toEqual(expect.any(String));
    const pending = await app.inject({ url: `/workspaces/ws-leak/remediations/${view.remediation_id}`, headers: bearer(analyst) });
    expect(pending.json()).toMatchObject({ status: 'pending_approval', source: { kind: 'analysis', run_id: view.run_id }, requested_by: 'alice' });
    expect(pending.json().plan.map((s: { action_type: string }) => s.action_type)).toEqual(view.proposed_actions.map((a: { action_type: string }) => a.action_type));
    expect(cp.calls).toEqual([]);

    const approved = await decide('ws-leak', view.remediation_id, 'approve', await token('ws-leak', 'bob'));
    expect(approved.json()).toMatchObject({ status: 'completed', decision: { by: 'bob' } });
    expect(cp.writes().map((c) => c.path)).toContain('/api/v1/workspaces/ws-leak/applications/api/restart');
    const after = (await app.inject({ url: `/workspaces/ws-leak/runs/${view.run_id}`, headers: bearer(analyst) })).json();
    expect(after).toMatchObject({ status: 'completed', approval: { decision: 'approved', by: 'bob' }, remediation: { status: 'executed' } });
  });
});

describe('from an analysis run, expired', () => {
  it('an expired remediation closes its run as rejected, and nothing is executed', async () => {
    const analyst = await contractToken(key, { workspaceId: 'ws-leak', sub: 'alice', permissions: ['aiops:read', 'aiops:analyze'] });
    const view = (await app.inject({ method: 'POST', url: '/workspaces/ws-leak/analyze', headers: bearer(analyst), payload: { analysis_type: 'anomaly', time_range_minutes: 360 } })).json();
    expect(view.status).toBe('awaiting_approval');
    clock = NOW + 31 * 60_000;
    const read = await app.inject({ url: `/workspaces/ws-leak/remediations/${view.remediation_id}`, headers: bearer(analyst) });
    expect(read.json().status).toBe('expired');
    const after = (await app.inject({ url: `/workspaces/ws-leak/runs/${view.run_id}`, headers: bearer(analyst) })).json();
    expect(after).toMatchObject({ status: 'completed', approval: { decision: 'rejected', by: 'system:expiry' }, remediation: { status: 'rejected' } });
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
      states = (res.json().events ?? []).filter((e: { resource_id: string }) => e.resource_id === r.id).map((e: { outcome: string }) => e.outcome);
      if (states.length < 5) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(states.sort()).toEqual(['approved', 'completed', 'executed', 'proposed', 'running']);
  });
});
