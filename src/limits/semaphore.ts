/**
 * Counting semaphores: at most `limit` holders of a key at once. In Redis (shared by every replica)
 * each holder is a lease in a sorted set scored by its expiry on Redis's own clock; a holder renews
 * its lease while it runs, so the slots of a replica that died free themselves once their leases
 * run out. In process for the embedded mode (one replica).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisRunOf, type GuardedRedis, type RedisRun } from '../clients/redis.js';

export interface Lease {
  /** Gives the slot back (idempotent). */
  release(): Promise<void>;
}

export interface Semaphore {
  /** A slot of `key` when fewer than `limit` are held, undefined when all are. */
  tryAcquire(key: string, limit: number): Promise<Lease | undefined>;
}

// Expired leases (a dead holder's) are dropped first; the set itself expires with its newest lease.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// A renewal re-adds a lease that was dropped meanwhile (e.g. Redis restarted): the work is still running, so it still counts.
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

export interface RedisSemaphoreOptions {
  /** Prepended to every key. */
  prefix: string;
  /** How long a lease lives without renewal (a dead replica's slots free after at most this long). */
  leaseMs?: number;
  /** Told about failed renewals (the lease may then lapse and the slot be given to someone else). */
  onError?: (err: Error) => void;
}

export class RedisSemaphore implements Semaphore {
  private readonly leaseMs: number;
  private readonly run: RedisRun;

  constructor(
    redis: Redis | GuardedRedis,
    private readonly options: RedisSemaphoreOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.run = redisRunOf(redis);
  }

  async tryAcquire(key: string, limit: number): Promise<Lease | undefined> {
    const redisKey = this.options.prefix + key;
    const id = randomUUID();
    const taken = await this.run((r) => r.eval(ACQUIRE, 1, redisKey, id, limit, this.leaseMs));
    if (taken !== 1) return undefined;
    // Renewed three times per lease period, so one late renewal does not lose the slot.
    const renewal = setInterval(
      () => {
        this.run((r) => r.eval(RENEW, 1, redisKey, id, this.leaseMs)).catch((err: Error) => this.options.onError?.(err));
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        await this.run((r) => r.zrem(redisKey, id));
      },
    };
  }
}

export class MemorySemaphore implements Semaphore {
  private readonly held = new Map<string, number>();

  async tryAcquire(key: string, limit: number): Promise<Lease | undefined> {
    const count = this.held.get(key) ?? 0;
    if (count >= limit) return undefined;
    this.held.set(key, count + 1);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        const left = (this.held.get(key) ?? 1) - 1;
        if (left > 0) this.held.set(key, left);
        else this.held.delete(key);
      },
    };
  }
}
