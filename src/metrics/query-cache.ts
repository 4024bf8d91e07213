/**
 * Cache of enforced query results. Redis when configured (shared by every replica), an in-process
 * LRU otherwise. A cache outage degrades to direct queries, never to an error: failures are
 * reported to `onError` and treated as misses. Redis calls go through the shared client's circuit
 * breaker, so while Redis is down a lookup fails at once instead of waiting for its timeout.
 */
import type { GuardedRedis } from '../clients/redis.js';
import { DependencyUnavailable } from '../resilience/dependency-unavailable.js';

export interface QueryCache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export class RedisQueryCache implements QueryCache {
  readonly kind = 'redis';

  constructor(
    private readonly redis: GuardedRedis,
    private readonly onError: (err: Error) => void,
    private readonly prefix = 'aiops:metrics:',
    /** Bound on a cache call, so a hung Redis costs little latency before we query directly. */
    private readonly timeoutMs = 250,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.run((r) => r.get(this.prefix + key), this.timeoutMs)) ?? undefined;
    } catch (err) {
      this.onError(err as Error);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.run((r) => r.set(this.prefix + key, value, 'EX', Math.max(1, Math.round(ttlSeconds))), this.timeoutMs);
    } catch (err) {
      this.onError(err as Error);
    }
  }
}

/**
 * What to log about a cache failure: its cause in one line, or undefined for a fast failure of an
 * open circuit breaker (the breaker logs its own transitions; one line per lookup would flood the log).
 */
export function cacheFailureToLog(err: Error): string | undefined {
  if (err instanceof DependencyUnavailable) return err.circuitOpen ? undefined : err.causeLine();
  return err.message;
}

/** Bounded by entry count and total size; expired entries are dropped on read. */
export class LruQueryCache implements QueryCache {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { value: string; expires: number }>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 1000,
    private readonly maxBytes = 64 * 1024 * 1024,
    private readonly now = () => Date.now(),
  ) {}

  async get(key: string): Promise<string | undefined> {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.expires <= this.now()) {
      this.bytes -= e.value.length;
      return undefined;
    }
    this.entries.set(key, e); // most recently used last
    return e.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (value.length > this.maxBytes / 4) return; // one huge result must not evict everything
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.value.length;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, expires: this.now() + ttlSeconds * 1000 });
    this.bytes += value.length;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.value.length;
    }
  }
}
