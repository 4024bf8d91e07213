/**
 * The remediation service on a real SQLite store, with the target lock switched off: the
 * compare-and-set alone must make concurrent approvals execute once, and every refusal must say why.
 */
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import { MemoryExecutionBudget, type TargetLocks } from '../../../src/remediation/guards.js';
import { RemediationService } from '../../../src/remediation/service.js';
import { sqliteDriver } from '../../../src/remediation/sql-drivers.js';
import { SqlRemediationStore } from '../../../src/remediation/store.js';
import { applicationOfPod } from '../../../src/remediation/actions.js';
import { collectingAudit } from '../../helpers/fake-llm.js';

const noLock: TargetLocks = { acquire: async () => ({ release: async () => undefined }) };
const auth = (sub: string, permissions: AuthContext['permissions'] = ['aiops:read', 'aiops:remediate']): AuthContext =>
  ({ sub, workspaceId: 'ws-a', permissions, planType: 'shared', orgIds: [], tokenType: 'aiops-contract', expiresAt: 0, rawToken: `token-of-${sub}` });

function service(options: { fourEyes?: boolean; now?: () => number } = {}) {
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
        sent.push(call.path);
        return { status: 200, body: {} };
      },
    },
    policy: { approvalTtlMs: 60_000, fourEyes: options.fourEyes ?? false, maxReplicas: 10, autoApproveActions: [], lockTtlMs: 60_000 },
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
    for (const o of outcomes.filter((x) => x.status === 'rejected')) expect(String((o as PromiseRejectedResult).reason.message)).toMatch(/only a pending remediation can be decided|changed while it was being decided/);
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
    await expect(svc.approve(auth('alice'), remediation.id)).rejects.toMatchObject({ statusCode: 403, extra: { reason: 'four_eyes' } });
    await expect(svc.approve(auth('bob'), remediation.id)).resolves.toMatchObject({ status: 'completed' });
  });

  it('an analysis or a chat may propose with aiops:analyze, but only aiops:remediate approves', async () => {
    const { svc, audit } = service();
    const analyst = auth('ann', ['aiops:read', 'aiops:analyze']);
    await expect(svc.propose(analyst, request, { source: { kind: 'api' } })).rejects.toMatchObject({ statusCode: 403 });
    const { remediation } = await svc.propose(analyst, request, { source: { kind: 'chat', thread_id: 't1' } });
    await expect(svc.approve(analyst, remediation.id)).rejects.toMatchObject({ statusCode: 403, extra: { reason: 'missing_scope' } });
    expect(audit.events.map((e) => [e.event_type, (e.details as { state: string }).state, e.initiated_by])).toEqual([['remediation', 'proposed', 'AIOpsAgent']]);
  });

  it('the expiry sweep expires what is due (once, even when two replicas sweep), and nothing else', async () => {
    let clock = Date.UTC(2026, 10, 28, 12, 0, 0);
    const { svc, audit } = service({ now: () => clock });
    const early = (await svc.propose(auth('alice'), request, { source: { kind: 'api' } })).remediation;
    clock += 30_000;
    const late = (await svc.propose(auth('alice'), { actions: [{ action_type: 'resolve_alert', target_resource: 'alert/a1' }] }, { source: { kind: 'api' } })).remediation;
    clock += 45_000; // the first is past its 60 s window, the second is not
    expect(await Promise.all([svc.expireDue(), svc.expireDue()])).toEqual(expect.arrayContaining([1]));
    expect((await svc.get(auth('alice'), early.id))?.status).toBe('expired');
    expect((await svc.get(auth('alice'), late.id))?.status).toBe('pending_approval');
    expect(audit.events.filter((e) => (e.details as { state: string }).state === 'expired').map((e) => [e.resource_id, e.user_id])).toEqual([[early.id, 'system:expiry']]);
  });

  it('infers the application of a pod from its name when not given', () => {
    const pod = (name: string, parameters: Record<string, unknown> = {}) => applicationOfPod({ action_type: 'restart_pod', target_resource: `pod/${name}`, parameters });
    expect(pod('frontend-7d9f8c6b5-x2k4q')).toBe('frontend');
    expect(pod('postgres-0')).toBe('postgres');
    expect(pod('frontend-7d9f8c6b5-x2k4q', { application_id: 'web' })).toBe('web');
  });
});
