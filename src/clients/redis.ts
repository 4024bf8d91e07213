/** The shared Redis connection (cache, locks, rate limits). Built only by the composition root. */
import { Redis } from 'ioredis';
import { DependencyBreaker } from '../resilience/circuit-breaker.js';

/**
 * @param onError told about connection errors, at most once per `errorLogIntervalMs` (ioredis
 *   retries forever and would otherwise flood the log while Redis is down).
 */
export function createRedis(url: string, onError: (err: Error) => void, errorLogIntervalMs = 30_000): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    // Fail fast instead of queueing forever: callers degrade (e.g. cache → direct query) on errors.
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    // Reconnect attempts at most 500 ms apart, so a Redis that comes back is used again within about a second.
    retryStrategy: (attempt) => Math.min(attempt * 100, 500),
  });
  let lastReported = 0;
  redis.on('error', (err: Error) => {
    const now = Date.now();
    if (now - lastReported >= errorLogIntervalMs) {
      lastReported = now;
      onError(err);
    }
  });
  return redis;
}

/** ioredis states in which a command would wait in the offline queue for a reconnection. */
const NOT_CONNECTED = new Set(['reconnecting', 'close', 'end']);

/**
 * The shared client behind one circuit breaker: every Redis user (caches, locks, the execution
 * budget) goes through `run`, so a down or hung Redis costs a request one fast failure
 * (DependencyUnavailable 'redis'), not one timeout per command. The readiness probe uses `client`
 * directly: it must see Redis as it is, whatever the breaker says.
 */
export class GuardedRedis {
  constructor(
    readonly client: Redis,
    readonly breaker: DependencyBreaker = new DependencyBreaker('redis'),
  ) {
    // Reconnected: used again at once (within one reconnect interval of Redis's return), not after the breaker's next trial.
    client.on('ready', () => breaker.recovered());
  }

  /** Whether a command would be sent now (connected, breaker not open): fail-open users skip Redis otherwise. */
  usable(): boolean {
    return !NOT_CONNECTED.has(this.client.status) && this.breaker.state !== 'open';
  }

  /** Runs `op` on the client within `timeoutMs` (default: the breaker's); rejects with DependencyUnavailable. */
  run<T>(op: (redis: Redis) => Promise<T>, timeoutMs?: number): Promise<T> {
    return this.breaker.call(() => {
      // While ioredis reconnects, a command would sit in its offline queue until the next attempt: fail now.
      if (NOT_CONNECTED.has(this.client.status))
        return Promise.reject(Object.assign(new Error(`redis connection is ${this.client.status}`), { code: 'ENOTCONNECTED' }));
      return op(this.client);
    }, timeoutMs);
  }
}

/** Runs a command on Redis: through the shared circuit breaker (GuardedRedis) or directly (a plain client). */
export type RedisRun = <T>(op: (redis: Redis) => Promise<T>) => Promise<T>;

/** How a store that accepts either client runs its commands. */
export const redisRunOf = (redis: Redis | GuardedRedis): RedisRun =>
  redis instanceof GuardedRedis ? (op) => redis.run(op) : (op) => op(redis);
