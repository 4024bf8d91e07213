/** What happens to a run whose process went away: resumed, started over, settled, or ended interrupted. */
import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import { leasePayload, MAX_RUN_EXECUTIONS, parseLeasePayload, planRecovery, recoveredAuth } from '../../../agents/run-recovery.js';

const auth: AuthContext = {
  sub: 'alice',
  workspaceId: 'ws-r',
  permissions: ['aiops:read', 'aiops:analyze'],
  planType: 'dedicated',
  orgIds: ['org-1'],
  tokenType: 'aiops-contract',
  expiresAt: 1_900_000_000,
  jti: 'j-1',
  rawToken: 'eyJhbGciOi.secret.token',
};
const input = {
  workspaceId: 'ws-r',
  requestedBy: 'alice',
  request: { analysisType: 'anomaly' as const, timeRangeMinutes: 60, targets: [], endTime: 1_800_000_000 },
};
const running = (next: string[]) => ({ status: 'running' as const, next });

describe('the lease payload', () => {
  it('carries the identity and the input, never the token', () => {
    const text = leasePayload(auth, { requestId: 'req-1', input });
    expect(text).not.toContain('secret');
    const payload = parseLeasePayload(text)!;
    expect(payload).toMatchObject({
      requestId: 'req-1',
      input,
      identity: { sub: 'alice', workspaceId: 'ws-r', permissions: ['aiops:read', 'aiops:analyze'], jti: 'j-1' },
    });
    expect(recoveredAuth(payload)).toEqual({ ...auth, rawToken: '', expiresAt: 0 });
  });

  it('an unreadable payload is undefined, not an exception', () => {
    expect(parseLeasePayload('{not json')).toBeUndefined();
    expect(parseLeasePayload(JSON.stringify({ identity: { sub: 'x' } }))).toBeUndefined();
    expect(
      parseLeasePayload(JSON.stringify({ identity: { ...JSON.parse(leasePayload(auth, {})).identity, permissions: ['aiops:root'] } })),
    ).toBeUndefined();
  });
});

describe('planRecovery', () => {
  const payload = parseLeasePayload(leasePayload(auth, { input }))!;

  it('resumes a running run from its checkpoint, up to the limit of executions', () => {
    expect(planRecovery(running(['metrics-query']), 2, payload)).toEqual({ kind: 'resume' });
    expect(planRecovery(running(['diagnose']), MAX_RUN_EXECUTIONS, payload)).toEqual({ kind: 'resume' });
    expect(planRecovery(running(['diagnose']), MAX_RUN_EXECUTIONS + 1, payload)).toMatchObject({
      kind: 'interrupt',
      message: expect.stringMatching(/stopped 3 times/),
    });
  });

  it('starts over a run that never checkpointed, if its input is known', () => {
    expect(planRecovery(undefined, 2, payload)).toEqual({ kind: 'restart', input });
    expect(planRecovery(undefined, 2, parseLeasePayload(leasePayload(auth, {}))!)).toEqual({ kind: 'settled' });
  });

  it('never resumes into the remediation (it needs the approver)', () => {
    expect(planRecovery(running(['remediate']), 2, payload)).toMatchObject({
      kind: 'interrupt',
      message: expect.stringMatching(/approved remediation/),
    });
  });

  it('a run no longer executing only had its lease left over', () => {
    for (const status of ['completed', 'awaiting_approval', 'failed'] as const)
      expect(planRecovery({ status, next: [] }, 2, payload)).toEqual({ kind: 'settled' });
  });

  it('a running run with an unreadable lease ends interrupted', () => {
    expect(planRecovery(running(['planner']), 2, undefined)).toMatchObject({ kind: 'interrupt' });
  });
});
