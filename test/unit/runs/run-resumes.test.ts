/**
 * The listener that resumes analysis runs with the decision on their remediation
 * (src/wiring/run-resumes.ts): each run named by the decision is resumed with `{ decision, outcome }`;
 * a resume that fails is logged, counted and retried, never swallowed.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ApprovalResume } from '../../../agents/analysis/state.js';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import { RemediationDecisions, type RemediationDecided } from '../../../src/remediation/decisions.js';
import { resumeRunsOnDecisions } from '../../../src/wiring/run-resumes.js';

const bob: AuthContext = {
  sub: 'bob',
  workspaceId: 'ws-a',
  permissions: ['aiops:remediate'],
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: 0,
  rawToken: 'token-of-bob',
};
const approved: RemediationDecided = {
  auth: bob,
  remediationId: 'rem-1',
  runIds: ['run-1', 'run-2'],
  decision: { decision: 'approved', by: 'bob', at: '2026-11-28T12:00:00.000Z' },
  outcome: { status: 'completed', error: null, results: [{ index: 0, status: 'completed', message: 'ok' }] },
};

function fakeRuns(failures: Record<string, number>) {
  const resumed: [string, string, ApprovalResume][] = [];
  return {
    resumed,
    draining: false,
    async resume(auth: AuthContext, runId: string, answer: ApprovalResume) {
      if ((failures[runId] ?? 0) > 0) {
        failures[runId]! -= 1;
        throw new Error('checkpoint store unavailable');
      }
      resumed.push([auth.sub, runId, answer]);
      return undefined;
    },
  };
}

async function failureCount(registry: Registry): Promise<number> {
  return (await registry.getSingleMetric('aiops_run_resume_failures_total')!.get()).values[0]?.value ?? 0;
}

describe('resuming runs on a decision', () => {
  it('resumes every run named with the decision and the outcome, as the one who decided', async () => {
    const decisions = new RemediationDecisions(() => undefined);
    const runs = fakeRuns({});
    const resumes = resumeRunsOnDecisions(decisions, runs, {});
    await decisions.publish(approved);
    expect(runs.resumed).toEqual([
      ['bob', 'run-1', { decision: approved.decision, outcome: approved.outcome }],
      ['bob', 'run-2', { decision: approved.decision, outcome: approved.outcome }],
    ]);
    const rejected: RemediationDecided = {
      auth: bob,
      remediationId: 'rem-2',
      runIds: ['run-3'],
      decision: { ...approved.decision, decision: 'rejected' },
    };
    await decisions.publish(rejected);
    expect(runs.resumed[2]).toEqual(['bob', 'run-3', { decision: rejected.decision }]);
    resumes.stop();
  });

  it('a resume that fails is logged, counted and retried until the run resumes; the other runs are not held up', async () => {
    const decisions = new RemediationDecisions(() => undefined);
    const registry = new Registry();
    const warnings: string[] = [];
    const runs = fakeRuns({ 'run-1': 2 });
    const resumes = resumeRunsOnDecisions(decisions, runs, { registry, warn: (m) => warnings.push(m), retryMs: 20 });
    await decisions.publish(approved);
    expect(runs.resumed.map(([, runId]) => runId)).toEqual(['run-2']);
    expect(warnings[0]).toMatch(
      /analysis run run-1 not resumed with the approved of remediation rem-1 \(attempt 1; retried in .*checkpoint store unavailable/,
    );
    for (let i = 0; i < 50 && runs.resumed.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(runs.resumed.map(([, runId]) => runId)).toEqual(['run-2', 'run-1']);
    expect(runs.resumed[1]![2].outcome).toEqual(approved.outcome);
    expect(await failureCount(registry)).toBe(2);
    expect(warnings).toHaveLength(2);
    resumes.stop();
  });

  it('stopped (shutdown), it retries nothing more', async () => {
    const decisions = new RemediationDecisions(() => undefined);
    const runs = fakeRuns({ 'run-1': 1 });
    const resumes = resumeRunsOnDecisions(decisions, runs, { retryMs: 20 });
    await decisions.publish({ ...approved, runIds: ['run-1'] });
    resumes.stop();
    await new Promise((r) => setTimeout(r, 80));
    expect(runs.resumed).toEqual([]);
  });
});
