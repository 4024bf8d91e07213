/**
 * The shared Redis client behind its breaker, against a private real Redis that is killed and started
 * again: once ioredis has reconnected the breaker is closed at once, not at its next trial call (set
 * to a minute here), so Redis is used again within one reconnect interval (≤ 500 ms) of its return.
 * Found by the fault matrix (test/chaos/): approvals came back up to ~1.4 s after Redis did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, GuardedRedis } from '../../src/clients/redis.js';
import { DependencyBreaker } from '../../src/resilience/circuit-breaker.js';
import { PrivateRedis } from '../helpers/private-redis.js';

let server: PrivateRedis;
beforeAll(async () => {
  server = await PrivateRedis.start();
});
afterAll(async () => server?.destroy());

describe('GuardedRedis across a Redis restart', () => {
  it('closes its open breaker as soon as the client has reconnected', async () => {
    const client = createRedis(server.url, () => undefined);
    const redis = new GuardedRedis(client, new DependencyBreaker('redis', { failuresToOpen: 1, resetTimeoutMs: 60_000 }));
    try {
      await client.connect();
      expect(await redis.run((r) => r.ping())).toBe('PONG');
      await server.stop();
      await expect(redis.run((r) => r.ping())).rejects.toMatchObject({ reason: 'redis_unavailable' });
      expect(redis.breaker.state).toBe('open');
      const reconnected = new Promise<void>((resolve) => client.once('ready', () => resolve()));
      await server.start();
      await reconnected;
      expect(redis.breaker.state).toBe('closed');
      expect(await redis.run((r) => r.ping())).toBe('PONG');
    } finally {
      redis.breaker.shutdown();
      client.disconnect();
    }
  });
});
