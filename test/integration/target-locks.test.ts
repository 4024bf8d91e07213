/**
 * Target locks on a real Redis: held as long as the execution runs (renewed by their holder), so the
 * TTL only says how long a target stays locked after its holder died. A holder that dies is played by
 * a second process: SIGKILLed while it holds the lock, the target is free again within one TTL.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { GuardedRedis } from '../../src/clients/redis.js';
import { MemoryTargetLocks, RedisTargetLocks } from '../../src/remediation/guards.js';
import { services } from '../helpers/services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const client = new Redis(services.redisUrl);
const redis = new GuardedRedis(client);
afterAll(async () => {
  redis.breaker.shutdown();
  await client.quit();
});

describe('target locks', () => {
  it('Redis: a held lock outlives its TTL while its holder runs, and frees on release', async () => {
    const prefix = `test-locks-${randomUUID()}:`;
    const locks = new RedisTargetLocks(redis, prefix);
    const mine = await locks.acquire(['ws/a/deployment/cart'], 600);
    expect('release' in mine).toBe(true);
    await sleep(1500); // 2.5 TTLs
    expect(await locks.acquire(['ws/a/deployment/cart'], 600)).toEqual({ held: 'ws/a/deployment/cart' });
    await (mine as { release(): Promise<void> }).release();
    const again = await locks.acquire(['ws/a/deployment/cart'], 600);
    expect('release' in again).toBe(true);
    await (again as { release(): Promise<void> }).release();
  });

  it('Redis: a holder that dies frees the target within one TTL', async () => {
    const prefix = `test-locks-${randomUUID()}:`;
    const script = `
      import { Redis } from 'ioredis';
      import { GuardedRedis } from './src/clients/redis.ts';
      import { RedisTargetLocks } from './src/remediation/guards.ts';
      const locks = new RedisTargetLocks(new GuardedRedis(new Redis(${JSON.stringify(services.redisUrl)})), ${JSON.stringify(prefix)});
      const lock = await locks.acquire(['ws/a/deployment/cart'], 800);
      console.log('release' in lock ? 'held' : 'busy');
      setInterval(() => undefined, 1000);`;
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const held = await new Promise<string>((resolve) => holder.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
    expect(held).toBe('held');
    const locks = new RedisTargetLocks(redis, prefix);
    await sleep(1200); // renewed by the living holder
    expect(await locks.acquire(['ws/a/deployment/cart'], 800)).toEqual({ held: 'ws/a/deployment/cart' });
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    await sleep(1000); // one TTL after the last renewal at most
    const taken = await locks.acquire(['ws/a/deployment/cart'], 800);
    expect('release' in taken).toBe(true);
    await (taken as { release(): Promise<void> }).release();
  }, 20_000);

  it('in process: held past its TTL while held, free on release', async () => {
    const locks = new MemoryTargetLocks();
    const mine = await locks.acquire(['t'], 300);
    await sleep(800);
    expect(await locks.acquire(['t'], 300)).toEqual({ held: 't' });
    await (mine as { release(): Promise<void> }).release();
    expect('release' in (await locks.acquire(['t'], 300))).toBe(true);
  });
});
