/** Helpers of the limits tests: a Redis key prefix per test file, and reading the refusal counter. */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

/** A key prefix no other test file (or earlier run) uses. */
export const limitsPrefix = (file: string) => `aiops:test:${file}:${process.pid}-${Date.now()}:`;

/** Deletes every key under `prefix`. */
export async function dropKeys(redis: Redis, prefix: string): Promise<void> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  if (keys.length > 0) await redis.del(...keys);
}

/** Every `aiops_limit_refusals_total` sample of an app, as `route_class/limit` → value. */
export async function refusals(app: FastifyInstance): Promise<Map<string, number>> {
  const text = (await app.inject({ url: '/metrics' })).body;
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('aiops_limit_refusals_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    samples.set(`${labels.route_class}/${labels.limit}`, Number(line.split(' ').at(-1)));
  }
  return samples;
}

/** The raw sample lines of the refusal counter (to check what labels it carries). */
export async function refusalLines(app: FastifyInstance): Promise<string[]> {
  return (await app.inject({ url: '/metrics' })).body.split('\n').filter((l) => l.startsWith('aiops_limit_refusals_total{'));
}
