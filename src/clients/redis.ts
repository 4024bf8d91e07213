/** The shared Redis connection (cache, locks, rate limits). Built only by the composition root. */
import { Redis } from 'ioredis';

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
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
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
