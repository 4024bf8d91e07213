import { describe, expect, it } from 'vitest';
import type { AuthContext } from '../../../src/auth/auth-context.js';
import { ConcurrencyGate } from '../../../src/limits/concurrency-gate.js';
import { LimitExceededError, type LimitName } from '../../../src/limits/limit-exceeded.js';
import { DEFAULT_PLAN_LIMITS } from '../../../src/limits/plan-limits.js';
import { MemorySemaphore } from '../../../src/limits/semaphore.js';

const auth = (workspaceId: string): AuthContext => ({
  sub: 'u',
  workspaceId,
  permissions: ['aiops:analyze'],
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: 0,
  rawToken: 'x',
});

function gate(perReplica: number, perWorkspace: number) {
  const refused: LimitName[] = [];
  const g = new ConcurrencyGate({
    routeClass: 'analyze',
    limit: 'concurrent_analyses',
    what: 'analyses',
    retryAfterSeconds: 10,
    semaphore: new MemorySemaphore(),
    limitsFor: () => ({ ...DEFAULT_PLAN_LIMITS.shared, concurrent_analyses: perWorkspace }),
    perReplica: { max: perReplica, limit: 'concurrent_analyses_per_replica' },
    countRefusal: (_c, limit) => refused.push(limit),
  });
  return { g, refused };
}

const outcomes = (settled: PromiseSettledResult<unknown>[]) =>
  settled.map((s) => (s.status === 'fulfilled' ? 'admitted' : (s.reason as LimitExceededError).limit));

describe('ConcurrencyGate', () => {
  it('a burst on one workspace: the workspace limit refuses, not the replica cap (admissions waiting together do not count as running)', async () => {
    const { g, refused } = gate(4, 2);
    const settled = await Promise.allSettled(Array.from({ length: 50 }, () => g.admit(auth('ws-1'))));
    const result = outcomes(settled);
    expect(result.filter((r) => r === 'admitted')).toHaveLength(2);
    expect(result.filter((r) => r === 'concurrent_analyses')).toHaveLength(48);
    expect(refused).toHaveLength(48);
  });

  it('a burst over many workspaces: never more than the replica cap at once; released slots are reusable, release is idempotent', async () => {
    const { g } = gate(3, 2);
    const settled = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => g.admit(auth(`ws-${i}`))));
    const slots = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(slots).toHaveLength(3);
    expect(outcomes(settled).filter((r) => r === 'concurrent_analyses_per_replica')).toHaveLength(17);
    slots[0]!.release();
    slots[0]!.release();
    expect(await g.admit(auth('ws-new'))).toBeDefined();
    await expect(g.admit(auth('ws-other'))).rejects.toMatchObject({
      reason: 'limit_exceeded',
      limit: 'concurrent_analyses_per_replica',
      retryAfterSeconds: 10,
    });
  });
});
