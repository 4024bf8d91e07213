/**
 * Guardrails shared by every replica: a lock per target resource (one remediation at a time on
 * deployment/cart) and a per-workspace budget of executions per hour. Redis when configured; an
 * in-process fallback for the single-process embedded mode.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

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

export class RedisTargetLocks implements TargetLocks {
  constructor(private readonly redis: Redis, private readonly prefix = 'aiops:remediation:lock:') {}

  async acquire(keys: string[], ttlMs: number) {
    const token = randomUUID();
    const taken: string[] = [];
    const release = async () => {
      await Promise.all(taken.map((k) => this.redis.eval(RELEASE, 1, this.prefix + k, token)));
    };
    for (const key of [...new Set(keys)].sort()) {
      const ok = await this.redis.set(this.prefix + key, token, 'PX', ttlMs, 'NX');
      if (ok !== 'OK') {
        await release();
        return { held: key };
      }
      taken.push(key);
    }
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
    return { release: async () => unique.forEach((k) => this.held.delete(k)) };
  }
}

export class RedisExecutionBudget implements ExecutionBudget {
  constructor(private readonly redis: Redis, private readonly perHour: number, private readonly prefix = 'aiops:remediation:budget:') {}

  async take(workspaceId: string) {
    const window = Math.floor(Date.now() / 3_600_000);
    const key = `${this.prefix}${workspaceId}:${window}`;
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, 3_700_000).exec()) as [[unknown, number]];
    if (count <= this.perHour) return { ok: true as const };
    await this.redis.decr(key);
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
