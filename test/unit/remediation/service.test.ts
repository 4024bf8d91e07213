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
import { RemediationService } from '../../../src/remediation/service.js';
import { sqliteDriver } from '../../../src/remediation/sql-drivers.js';
import { SqlRemediationStore } from '../../../src/remediation/store.js';
import { applicationOfPod } from '../../../src/remediation/actions.js';
import { collectingAudit } from '../../helpers/fake-llm.js';

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
  options: { fourEyes?: boolean; now?: () => number; maxPending?: number; autoApproveActions?: ('acknowledge_alert' | 'scale')[] } = {},
) {
  const sent: string[] = [];
  const audit = collectingAudit();
  const svc = new RemediationService({
    store: new SqlRemediationStore(sqliteDriver(new BetterSqlite3(':memory:'))),
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
  });
  return { svc, sent, audit };
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

  it('executeApproved called twice (the graph node and the approver) runs once', async () => {
    const { svc, sent } = service();
    const { remediation } = await svc.propose(auth('alice'), request, { source: { kind: 'api' } });
    await svc.approve(auth('bob'), remediation.id);
    await Promise.all([svc.executeApproved(auth('bob'), remediation.id), svc.executeApproved(auth('bob'), remediation.id)]);
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

describe('an approval cut short between its decision and its execution', () => {
  it('is continued by the approver retrying (executed once), and answers anyone else 409', async () => {
    const sent: string[] = [];
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
    });
    const { remediation } = await svc.propose(auth('alice'), request, { source: { kind: 'api' } });
    await expect(svc.approve(auth('bob'), remediation.id)).rejects.toThrow(/connection terminated/);
    expect((await svc.get(auth('bob'), remediation.id))?.status).toBe('approved');
    expect(sent).toEqual([]);
    await expect(svc.approve(auth('carol'), remediation.id)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(svc.approve(auth('bob'), remediation.id)).resolves.toMatchObject({ status: 'completed', decision: { by: 'bob' } });
    await expect(svc.approve(auth('bob'), remediation.id)).rejects.toMatchObject({ kind: 'conflict' });
    expect(sent).toEqual(['/internal/v1/workspaces/ws-a/deployments/cart/scale']);
  });
});
