/**
 * The remediation service on a real SQLite store, with the target lock switched off: the
 * compare-and-set alone must make concurrent approvals execute once, and every refusal must say why.
 * Four-eyes compares subjects normalised and never lets one person act alone; concurrent proposals
 * for one target make one remediation, and concurrent proposals never pass the workspace's cap.
 */
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import { controlPlanePath } from '../../../src/clients/hexabase.js';
import { MemoryExecutionBudget, type TargetLocks } from '../../../src/remediation/guards.js';
import { subjectKey } from '../../../src/remediation/proposals.js';
import { RemediationDecisions, type RemediationDecided } from '../../../src/remediation/decisions.js';
import { RemediationService } from '../../../src/remediation/service.js';
import { sqliteDriver } from '../../../src/storage/sql-drivers.js';
import { SqlRemediationStore } from '../../../src/remediation/store.js';
import { applicationOfPod } from '../../../src/remediation/actions.js';
import { collectingAudit } from '../../helpers/fake-llm.js';

/** Who starts an analysis: its run proposes with aiops:analyze. */
const analyst = (sub: string) => auth(sub, ['aiops:read', 'aiops:analyze']);
const noLock: TargetLocks = { acquire: async () => ({ release: async () => undefined }) };
const auth = (sub: string, permissions: AuthContext['permissions'] = ['aiops:read', 'aiops:remediate']): AuthContext => ({
  sub,
  workspaceId: 'ws-a',
  permissions,
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: 0,
  rawToken: `token-of-${sub}`,
});

function service(
  options: {
    fourEyes?: boolean;
    now?: () => number;
    maxPending?: number;
    autoApproveActions?: ('acknowledge_alert' | 'scale')[];
    decisions?: RemediationDecisions;
  } = {},
) {
  const sent: string[] = [];
  const audit = collectingAudit();
  const store = new SqlRemediationStore(sqliteDriver(new BetterSqlite3(':memory:')));
  const svc = new RemediationService({
    store,
    locks: noLock,
    budget: new MemoryExecutionBudget(100),
    audit,
    controlPlane: {
      send: async (call) => {
        await new Promise((r) => setTimeout(r, 20));
        sent.push(controlPlanePath(call.segments));
        return { status: 200, body: {} };
      },
    },
    policy: {
      approvalTtlMs: 60_000,
      fourEyes: options.fourEyes ?? false,
      maxReplicas: 10,
      maxReplicasOverride: 100,
      maxPending: options.maxPending ?? 20,
      autoApproveActions: options.autoApproveActions ?? [],
      lockTtlMs: 60_000,
    },
    now: options.now ?? Date.now,
    ...(options.decisions ? { decisions: options.decisions } : {}),
  });
  return { svc, sent, audit, store };
}

const request = { actions: [{ action_type: 'scale' as const, target_resource: 'deployment/cart', parameters: { replicas: 2 } }] };

describe('RemediationService', () => {
  it('ten concurrent approvals without any lock: exactly one executes, the others are told it was decided', async () => {
    const { svc, sent } = service();
    const { remediation } = await svc.propose(auth('alice'), request, { source: { kind: 'api' } });
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => svc.approve(auth(`approver-${i}`), remediation.id)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x) => x.status === 'rejected'))
      expect(String((o as PromiseRejectedResult).reason.message)).toMatch(
        /only a pending remediation can be decided|changed while it was being decided/,
      );
    expect(sent).toEqual(['/internal/v1/workspaces/ws-a/deployments/cart/scale']);
  });

  it('an approval executes once, and approving it again executes nothing', async () => {
    const { svc, sent } = service();
    const { remediation } = await svc.propose(auth('alice'), request, { source: { kind: 'api' } });
    await svc.approve(auth('bob'), remediation.id);
    const again = await Promise.allSettled([svc.approve(auth('bob'), remediation.id), svc.approve(auth('carol'), remediation.id)]);
    expect(again.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(sent).toHaveLength(1);
  });

  it('four-eyes mode refuses the requester as approver, and accepts someone else', async () => {
    const { svc } = service({ fourEyes: true });
    const { remediation } = await svc.propose(auth('alice'), request, { source: { kind: 'api' } });
    await expect(svc.approve(auth('alice'), remediation.id)).rejects.toMatchObject({ kind: 'denied', reason: 'four_eyes' });
    await expect(svc.approve(auth('bob'), remediation.id)).resolves.toMatchObject({ status: 'completed' });
  });

  it("four-eyes compares subjects normalised: Alice, ALICE or ａｌｉｃｅ (full-width) cannot approve alice's request", async () => {
    const { svc, sent } = service({ fourEyes: true });
    const { remediation } = await svc.propose(auth('alice'), request, { source: { kind: 'api' } });
    for (const sub of ['Alice', 'ALICE', 'ａｌｉｃｅ', ' alice ']) {
      await expect(svc.approve(auth(sub), remediation.id), sub).rejects.toMatchObject({ kind: 'denied', reason: 'four_eyes' });
    }
    expect(sent).toEqual([]);
    expect(subjectKey('STRASSE')).toBe(subjectKey('straße'));
    expect(subjectKey('bob')).not.toBe(subjectKey('alice'));
    await expect(svc.approve(auth('bob'), remediation.id)).resolves.toMatchObject({ status: 'completed' });
  });

  it('four-eyes: whoever joined a proposal cannot approve it either', async () => {
    const { svc } = service({ fourEyes: true });
    const { remediation } = await svc.propose(auth('alice'), request, { source: { kind: 'api' } });
    const joined = await svc.propose(
      auth('Bob'),
      { actions: [{ action_type: 'scale', target_resource: 'deployment/cart', parameters: { replicas: 3 } }] },
      { source: { kind: 'api' } },
    );
    expect(joined).toMatchObject({ created: false, joined: true, remediation: { id: remediation.id, proposal_count: 2 } });
    await expect(svc.approve(auth('bob'), remediation.id)).rejects.toMatchObject({ kind: 'denied', reason: 'four_eyes' });
    await expect(svc.approve(auth('carol'), remediation.id)).resolves.toMatchObject({ status: 'completed' });
  });

  it('four-eyes: an admin cannot waive approval for allow-listed actions (only pure dry runs run without a second person)', async () => {
    const { svc, sent } = service({ fourEyes: true, autoApproveActions: ['acknowledge_alert'] });
    const admin = auth('root', ['aiops:admin']);
    const ack = { approval_required: false, actions: [{ action_type: 'acknowledge_alert' as const, target_resource: 'alert/a1' }] };
    await expect(svc.propose(admin, ack, { source: { kind: 'api' } })).rejects.toMatchObject({
      kind: 'denied',
      reason: 'approval_required',
      message: expect.stringMatching(/four-eyes mode .* only when every action is a dry run/),
    });
    const dry = await svc.propose(
      admin,
      { approval_required: false, actions: [{ ...ack.actions[0]!, dry_run: true }] },
      { source: { kind: 'api' } },
    );
    expect(dry.remediation.status).toBe('completed');
    expect(sent).toEqual([]);
    // Without four-eyes the same admin waiver is honoured (the allow-list applies).
    const plain = service({ autoApproveActions: ['acknowledge_alert'] });
    await expect(plain.svc.propose(admin, ack, { source: { kind: 'api' } })).resolves.toMatchObject({
      remediation: { status: 'completed' },
    });
  });

  it('ten concurrent proposals for one target (different people, no lock) make one remediation that counts them all', async () => {
    const { svc, audit } = service();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        svc.propose(
          auth(`user-${i}`),
          { actions: [{ action_type: 'scale', target_resource: 'deployment/cart', parameters: { replicas: 1 + (i % 9) } }] },
          { source: { kind: 'api' } },
        ),
      ),
    );
    expect(new Set(outcomes.map((o) => o.remediation.id)).size).toBe(1);
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    const stored = await svc.get(auth('alice'), outcomes[0]!.remediation.id);
    expect(stored).toMatchObject({ status: 'pending_approval', proposal_count: 10 });
    expect(stored!.proposals).toHaveLength(10);
    const states = audit.events.map((e) => (e.details as { state: string }).state);
    expect(states.filter((s) => s === 'proposed')).toHaveLength(1);
    expect(states.filter((s) => s === 'joined')).toHaveLength(9);
  });

  it('concurrent proposals for different targets never pass the cap of pending remediations', async () => {
    const { svc } = service({ maxPending: 3 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        svc.propose(
          auth('alice'),
          { actions: [{ action_type: 'resolve_alert', target_resource: `alert/a${i}` }] },
          { source: { kind: 'api' } },
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    for (const o of outcomes.filter((x) => x.status === 'rejected')) {
      expect((o as PromiseRejectedResult).reason).toMatchObject({
        kind: 'limited',
        reason: 'limit_exceeded',
        details: { limit: 'pending_remediations', max: 3 },
      });
    }
    expect(await svc.list(auth('alice'), { status: 'pending_approval', limit: 50 })).toHaveLength(3);
  });

  it('an analysis or a chat may propose with aiops:analyze, but only aiops:remediate approves', async () => {
    const { svc, audit } = service();
    const analyst = auth('ann', ['aiops:read', 'aiops:analyze']);
    await expect(svc.propose(analyst, request, { source: { kind: 'api' } })).rejects.toMatchObject({ kind: 'denied' });
    const { remediation } = await svc.propose(analyst, request, { source: { kind: 'chat', thread_id: 't1' } });
    await expect(svc.approve(analyst, remediation.id)).rejects.toMatchObject({ kind: 'denied', reason: 'missing_scope' });
    expect(audit.events.map((e) => [e.event_type, (e.details as { state: string }).state, e.initiated_by])).toEqual([
      ['remediation', 'proposed', 'AIOpsAgent'],
    ]);
  });

  it('the expiry sweep expires what is due (once, even when two replicas sweep), and nothing else', async () => {
    let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
    const { svc, audit } = service({ now: () => clock });
    const early = (await svc.propose(auth('alice'), request, { source: { kind: 'api' } })).remediation;
    clock += 30_000;
    const late = (
      await svc.propose(
        auth('alice'),
        { actions: [{ action_type: 'resolve_alert', target_resource: 'alert/a1' }] },
        { source: { kind: 'api' } },
      )
    ).remediation;
    clock += 45_000; // the first is past its 60 s window, the second is not
    expect(await Promise.all([svc.expireDue(), svc.expireDue()])).toEqual(expect.arrayContaining([1]));
    expect((await svc.get(auth('alice'), early.id))?.status).toBe('expired');
    expect((await svc.get(auth('alice'), late.id))?.status).toBe('pending_approval');
    expect(audit.events.filter((e) => (e.details as { state: string }).state === 'expired').map((e) => [e.resource_id, e.user_id])).toEqual(
      [[early.id, 'system:expiry']],
    );
  });

  it('infers the application of a pod from its name when not given', () => {
    const pod = (name: string, parameters: Record<string, unknown> = {}) =>
      applicationOfPod({ action_type: 'restart_pod', target_resource: `pod/${name}`, parameters });
    expect(pod('frontend-7d9f8c6b5-x2k4q')).toBe('frontend');
    expect(pod('postgres-0')).toBe('postgres');
    expect(pod('frontend-7d9f8c6b5-x2k4q', { application_id: 'web' })).toBe('web');
  });
});

describe('decisions are published one way, after the service decided and executed', () => {
  const fromRun = (runId: string) => ({ source: { kind: 'analysis' as const, run_id: runId } });
  function listening(listener: (event: RemediationDecided) => Promise<void> = async () => undefined) {
    const events: RemediationDecided[] = [];
    const failures: unknown[] = [];
    const decisions = new RemediationDecisions((err) => failures.push(err));
    decisions.subscribe(async (event) => {
      events.push(event);
      await listener(event);
    });
    return { events, failures, decisions };
  }

  it('an approval publishes the decision with the outcome, once, after executing; the runs that joined are named', async () => {
    const { events, decisions } = listening();
    const { svc, sent } = service({ decisions });
    const { remediation } = await svc.propose(analyst('ann'), request, fromRun('run-1'));
    await svc.propose(analyst('ann'), { actions: [{ ...request.actions[0]!, parameters: { replicas: 3 } }] }, fromRun('run-2'));
    const outcomes = await Promise.allSettled([svc.approve(auth('bob'), remediation.id), svc.approve(auth('carol'), remediation.id)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(events).toEqual([
      expect.objectContaining({
        remediationId: remediation.id,
        runIds: ['run-1', 'run-2'],
        decision: expect.objectContaining({ decision: 'approved' }),
        outcome: { status: 'completed', error: null, results: [expect.objectContaining({ index: 0, status: 'completed' })] },
      }),
    ]);
    expect(events[0]!.auth.sub).toBe(events[0]!.decision.by);
  });

  it('a rejection and an expiry publish the decision without an outcome', async () => {
    let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
    const { events, decisions } = listening();
    const { svc, sent } = service({ decisions, now: () => clock });
    const rejected = (await svc.propose(analyst('ann'), request, fromRun('run-r'))).remediation;
    await svc.reject(auth('bob'), rejected.id, { comment: 'not now' });
    const expiring = (
      await svc.propose(analyst('ann'), { actions: [{ action_type: 'resolve_alert', target_resource: 'alert/a1' }] }, fromRun('run-e'))
    ).remediation;
    clock += 120_000;
    await svc.expireDue();
    expect(sent).toEqual([]);
    expect(events.map((e) => [e.runIds, e.decision.decision, e.decision.by, e.outcome])).toEqual([
      [['run-r'], 'rejected', 'bob', undefined],
      [['run-e'], 'rejected', 'system:expiry', undefined],
    ]);
    expect(events.map((e) => e.remediationId)).toEqual([rejected.id, expiring.id]);
  });

  it('an execution cut short by a crash, once its lock has long expired, is published as failed to the runs waiting for it', async () => {
    let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
    const { events, decisions } = listening();
    const { svc, store, sent } = service({ decisions, now: () => clock });
    const { remediation } = await svc.propose(analyst('ann'), request, fromRun('run-1'));
    // What a replica that died while executing leaves behind: approved by bob, `running`, never finished.
    const record = (await store.get('ws-a', remediation.id))!;
    const decision = { decision: 'approved' as const, by: 'bob', at: new Date(clock).toISOString() };
    await store.update('ws-a', remediation.id, record.version, { ...record.doc, status: 'running', decision });
    clock += 121_000; // twice the lock's 60 s
    expect((await svc.get(auth('bob'), remediation.id))?.status).toBe('failed');
    expect(sent).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        runIds: ['run-1'],
        decision,
        outcome: expect.objectContaining({ status: 'failed', error: expect.stringMatching(/interrupted/) }),
      }),
    ]);
  });

  it('a listener that fails does not fail the approval: the failure is reported, the remediation stays completed', async () => {
    const { failures, decisions } = listening(async () => {
      throw new Error('checkpoint store unavailable');
    });
    const { svc, sent } = service({ decisions });
    const { remediation } = await svc.propose(analyst('ann'), request, fromRun('run-1'));
    await expect(svc.approve(auth('bob'), remediation.id)).resolves.toMatchObject({ status: 'completed' });
    expect(sent).toHaveLength(1);
    expect(failures).toEqual([expect.objectContaining({ message: 'checkpoint store unavailable' })]);
  });
});

describe('an approval cut short between its decision and its execution', () => {
  function cutShort() {
    const sent: string[] = [];
    const published: RemediationDecided[] = [];
    const decisions = new RemediationDecisions(() => undefined);
    decisions.subscribe(async (event) => void published.push(event));
    const store = new SqlRemediationStore(sqliteDriver(new BetterSqlite3(':memory:')));
    // The store fails for one read right after the decision is recorded, as a PostgreSQL restart would.
    let failReads = 0;
    const flaky = new Proxy(store, {
      get: (target, prop, receiver) =>
        prop === 'get'
          ? async (...args: Parameters<typeof store.get>) => {
              if (failReads > 0) {
                failReads -= 1;
                throw new Error('connection terminated');
              }
              return target.get(...args);
            }
          : Reflect.get(target, prop, receiver),
    });
    const svc = new RemediationService({
      store: flaky,
      locks: noLock,
      budget: new MemoryExecutionBudget(100),
      audit: { record: async (e) => void (e.event_type === 'remediation' && e.details.state === 'approved' && (failReads = 1)) },
      controlPlane: { send: async (call) => (sent.push(controlPlanePath(call.segments)), { status: 200, body: {} }) },
      policy: {
        approvalTtlMs: 60_000,
        fourEyes: false,
        maxReplicas: 10,
        maxReplicasOverride: 100,
        maxPending: 20,
        autoApproveActions: [],
        lockTtlMs: 60_000,
      },
      now: Date.now,
      decisions,
    });
    return { svc, sent, published };
  }

  it('is continued by the approver retrying (executed once), and answers anyone else 409', async () => {
    const { svc, sent, published } = cutShort();
    const { remediation } = await svc.propose(analyst('alice'), request, { source: { kind: 'analysis', run_id: 'run-1' } });
    await expect(svc.approve(auth('bob'), remediation.id)).rejects.toThrow(/connection terminated/);
    expect(published).toEqual([]); // nothing executed: the run keeps waiting
    expect((await svc.get(auth('bob'), remediation.id))?.status).toBe('approved');
    expect(sent).toEqual([]);
    await expect(svc.approve(auth('carol'), remediation.id)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(svc.approve(auth('bob'), remediation.id)).resolves.toMatchObject({ status: 'completed', decision: { by: 'bob' } });
    await expect(svc.approve(auth('bob'), remediation.id)).rejects.toMatchObject({ kind: 'conflict' });
    expect(sent).toEqual(['/internal/v1/workspaces/ws-a/deployments/cart/scale']);
    expect(published.map((e) => [e.runIds, e.decision.by, e.outcome?.status])).toEqual([[['run-1'], 'bob', 'completed']]);
  });

  it('continued by two retries at once (the approver on two replicas): executed once, published once', async () => {
    const { svc, sent, published } = cutShort();
    const { remediation } = await svc.propose(analyst('alice'), request, { source: { kind: 'analysis', run_id: 'run-1' } });
    await expect(svc.approve(auth('bob'), remediation.id)).rejects.toThrow(/connection terminated/);
    await Promise.allSettled([svc.approve(auth('bob'), remediation.id), svc.approve(auth('bob'), remediation.id)]);
    expect(sent).toHaveLength(1);
    expect(published).toHaveLength(1);
    expect((await svc.get(auth('bob'), remediation.id))?.status).toBe('completed');
  });
});
