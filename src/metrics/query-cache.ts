/**
 * Cache of enforced query results. Redis when configured (shared by every replica), an in-process
 * LRU otherwise. A cache outage degrades to direct queries, never to an error: failures are
 * reported to `onError` and treated as misses.
 */
import type { Redis } from 'ioredis';

export interface QueryCache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export class RedisQueryCache implements QueryCache {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly onError: (err: Error) => void,
    private readonly prefix = 'aiops:metrics:',
    /** Bound on a cache call, so a hung Redis costs little latency before we query directly. */
    private readonly timeoutMs = 250,
  ) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return (await withTimeout(this.redis.get(this.prefix + key), this.timeoutMs)) ?? undefined;
    } catch (err) {
      this.onError(err as Error);
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    try {
      await withTimeout(this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.round(ttlSeconds))), this.timeoutMs);
    } catch (err) {
      this.onError(err as Error);
    }
  }
}

/** Bounded by entry count and total size; expired entries are dropped on read. */
export class LruQueryCache implements QueryCache {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { value: string; expires: number }>();
  private bytes = 0;

  constructor(private readonly maxEntries = 1000, private readonly maxBytes = 64 * 1024 * 1024, private readonly now = () => Date.now()) {}

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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`cache did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
