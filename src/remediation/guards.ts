/**
 * Guardrails shared by every replica: a lock per target resource, renewed while its execution runs (one remediation at a time on
 * deployment/cart) and a per-workspace budget of executions per hour. Redis when configured; an
 * in-process fallback for the single-process embedded mode.
 *
 * Redis down (or its circuit breaker open) → `acquire` and `take` reject with DependencyUnavailable
 * 'lock_store' (503): a remediation never executes without its lock. Releasing never fails the
 * caller: a lock that cannot be deleted expires after its TTL.
 */
import { randomUUID } from 'node:crypto';
import type { GuardedRedis } from '../clients/redis.js';
import { DependencyUnavailable } from '../resilience/dependency-unavailable.js';

export interface TargetLocks {
  /** Takes every key or none; returns a release function, or the key already held. */
  acquire(keys: string[], ttlMs: number): Promise<{ release: () => Promise<void> } | { held: string }>;
}

export interface ExecutionBudget {
  /** Counts one execution; false (and not counted) when the workspace's budget for the window is spent. */
  take(workspaceId: string): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
}

// Deletes the key only while it still holds our token (a lock that expired and was re-taken is not ours).
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
// Extends the key only while it still holds our token.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

const LOCK_CALL_TIMEOUT_MS = 1000;

const lockStoreUnavailable = (cause: unknown) =>
  new DependencyUnavailable('lock_store', {
    cause,
    message: 'the remediation lock store is unavailable, so nothing was executed; retry later',
  });

export class RedisTargetLocks implements TargetLocks {
  constructor(
    private readonly redis: GuardedRedis,
    private readonly prefix = 'aiops:remediation:lock:',
    /** Told when a lock could not be released (it then expires after its TTL). */
    private readonly onReleaseError: (err: unknown) => void = () => undefined,
  ) {}

  async acquire(keys: string[], ttlMs: number) {
    const token = randomUUID();
    // Every key we tried to take, including one whose SET failed in flight (it may have been applied):
    // RELEASE deletes only keys still holding our token, so releasing them all is safe.
    const tried: string[] = [];
    const renewing: { timer?: NodeJS.Timeout } = {};
    const release = async () => {
      clearInterval(renewing.timer);
      try {
        await Promise.all(tried.map((k) => this.redis.run((r) => r.eval(RELEASE, 1, this.prefix + k, token), LOCK_CALL_TIMEOUT_MS)));
      } catch (err) {
        this.onReleaseError(err);
      }
    };
    for (const key of [...new Set(keys)].sort()) {
      tried.push(key);
      let ok: string | null;
      try {
        ok = await this.redis.run((r) => r.set(this.prefix + key, token, 'PX', ttlMs, 'NX'), LOCK_CALL_TIMEOUT_MS);
      } catch (err) {
        await release();
        throw lockStoreUnavailable(err);
      }
      if (ok !== 'OK') {
        tried.pop(); // someone else's lock: not ours to release
        await release();
        return { held: key };
      }
    }
    // Held while the execution lasts, renewed every third of the TTL: if this process dies, the
    // renewals stop and the targets free themselves within one TTL (not after the longest possible plan).
    renewing.timer = setInterval(
      () => {
        for (const key of tried)
          void this.redis
            .run((r) => r.eval(RENEW, 1, this.prefix + key, token, String(ttlMs)), LOCK_CALL_TIMEOUT_MS)
            .catch(() => undefined);
      },
      Math.max(50, Math.floor(ttlMs / 3)),
    );
    renewing.timer.unref();
    return { release };
  }
}

export class MemoryTargetLocks implements TargetLocks {
  private readonly held = new Map<string, number>();

  async acquire(keys: string[], ttlMs: number) {
    const now = Date.now();
    const unique = [...new Set(keys)];
    const busy = unique.find((k) => (this.held.get(k) ?? 0) > now);
    if (busy) return { held: busy };
    for (const k of unique) this.held.set(k, now + ttlMs);
    // Renewed while held, like the Redis locks (in one process a holder cannot die without the locks).
    const renewal = setInterval(() => unique.forEach((k) => this.held.set(k, Date.now() + ttlMs)), Math.max(50, Math.floor(ttlMs / 3)));
    renewal.unref();
    return {
      release: async () => {
        clearInterval(renewal);
        unique.forEach((k) => this.held.delete(k));
      },
    };
  }
}

export class RedisExecutionBudget implements ExecutionBudget {
  constructor(
    private readonly redis: GuardedRedis,
    private readonly perHour: number,
    private readonly prefix = 'aiops:remediation:budget:',
  ) {}

  async take(workspaceId: string) {
    const window = Math.floor(Date.now() / 3_600_000);
    const key = `${this.prefix}${workspaceId}:${window}`;
    let count: number;
    try {
      [[, count]] = (await this.redis.run((r) => r.multi().incr(key).pexpire(key, 3_700_000).exec(), LOCK_CALL_TIMEOUT_MS)) as [
        [unknown, number],
      ];
    } catch (err) {
      throw lockStoreUnavailable(err);
    }
    if (count <= this.perHour) return { ok: true as const };
    // Best effort: a refused execution should not count, but if Redis fails now it only over-counts this hour.
    await this.redis.run((r) => r.decr(key), LOCK_CALL_TIMEOUT_MS).catch(() => undefined);
    return { ok: false as const, retryAfterSeconds: secondsToNextHour() };
  }
}

export class MemoryExecutionBudget implements ExecutionBudget {
  /** Per workspace: the current hour's count only (an older hour is simply overwritten). */
  private readonly counts = new Map<string, { hour: number; count: number }>();

  constructor(private readonly perHour: number) {}

  async take(workspaceId: string) {
    const hour = Math.floor(Date.now() / 3_600_000);
    const seen = this.counts.get(workspaceId);
    const count = (seen?.hour === hour ? seen.count : 0) + 1;
    if (count > this.perHour) return { ok: false as const, retryAfterSeconds: secondsToNextHour() };
    this.counts.set(workspaceId, { hour, count });
    return { ok: true as const };
  }
}

function secondsToNextHour(): number {
  return Math.max(1, Math.ceil((3_600_000 - (Date.now() % 3_600_000)) / 1000));
}
