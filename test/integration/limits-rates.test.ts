/**
 * Request rates per workspace and per user, by route class and plan, on two app instances sharing
 * the real Redis (two replicas): the budget is shared; the user's limit and the workspace's are
 * separate; another workspace, another route class and the other plan are untouched; refusals are
 * 429 with Retry-After and the limit's name, counted in /metrics without workspace ids; requests
 * without a valid token (or for another workspace) never spend a workspace's budget.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { dropKeys, limitsPrefix, refusalLines, refusals } from '../helpers/limits.js';
import { services } from '../helpers/services.js';

const prefix = limitsPrefix('limits-rates');
const run = `${process.pid}-${Date.now()}`;
let seq = 0;
const freshWs = () => `ws-rate-${run}-${++seq}`;

let key: RsaKey;
let redis: Redis;
let a: FastifyInstance;
let b: FastifyInstance;

beforeAll(async () => {
  key = await rsaKey();
  redis = new Redis(services.redisUrl);
  const env = testEnv(key, {
    REDIS_URL: services.redisUrl,
    LIMITS_SHARED: 'read_per_minute=5,read_per_minute_per_user=3,remediate_per_minute_per_user=3',
    LIMITS_DEDICATED: 'read_per_minute=20,read_per_minute_per_user=8',
  });
  [a, b] = await Promise.all([testApp(env, { limitsKeyPrefix: prefix }), testApp(env, { limitsKeyPrefix: prefix })]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await dropKeys(redis, prefix);
  await redis.quit();
});

async function access(app: FastifyInstance, ws: string, sub: string, planType: 'shared' | 'dedicated' = 'shared') {
  return app.inject({ url: `/workspaces/${ws}/access`, headers: bearer(await contractToken(key, { workspaceId: ws, sub, planType })) });
}

describe('request rates shared by two replicas', () => {
  it("a user's read budget is one budget across both instances; past it: 429 rate_limited naming the limit, with Retry-After", async () => {
    const ws = freshWs();
    for (const app of [a, b, a]) expect((await access(app, ws, 'alice')).statusCode).toBe(200);
    const refused = await access(b, ws, 'alice');
    expect(refused.statusCode).toBe(429);
    const body = refused.json();
    expect(body).toMatchObject({
      error: 'Too Many Requests',
      statusCode: 429,
      requestId: refused.headers['x-request-id'],
      reason: 'rate_limited',
      limit: 'read_per_minute_per_user',
    });
    expect(body.message).toMatch(/at most 3 a minute on the shared plan/);
    expect(body.retry_after_seconds).toBeGreaterThanOrEqual(1);
    expect(body.retry_after_seconds).toBeLessThanOrEqual(60);
    expect(refused.headers['retry-after']).toBe(String(body.retry_after_seconds));
    expect(await redis.get(`${prefix}rate:user:read:${ws}:alice`)).toBe('4'); // one counter in Redis for both replicas
    expect(await redis.get(`${prefix}rate:workspace:read:${ws}`)).toBe('3'); // the refused request did not reach the workspace's
    // Another user of the same workspace still has their own budget (the workspace's is not spent yet).
    expect((await access(a, ws, 'bob')).statusCode).toBe(200);
  });

  it("the workspace's budget counts every user; another workspace is untouched", async () => {
    const ws = freshWs();
    for (const [i, sub] of ['u1', 'u2', 'u3', 'u4', 'u5'].entries()) expect((await access(i % 2 ? a : b, ws, sub)).statusCode).toBe(200);
    const refused = await access(a, ws, 'u6');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ reason: 'rate_limited', limit: 'read_per_minute' });
    const other = freshWs();
    expect((await access(b, other, 'u6')).statusCode).toBe(200);
  });

  it('route classes have separate budgets: reads spent, a remediation request still goes through', async () => {
    const ws = freshWs();
    for (let i = 0; i < 3; i++) await access(a, ws, 'alice');
    expect((await access(a, ws, 'alice')).statusCode).toBe(429);
    const token = await contractToken(key, { workspaceId: ws, sub: 'alice', permissions: ['aiops:remediate'] });
    const res = await b.inject({ method: 'POST', url: `/workspaces/${ws}/remediate`, headers: bearer(token), payload: { actions: [] } });
    expect(res.statusCode, res.body).toBe(400); // validated (and counted as remediate), not refused
  });

  it("a dedicated workspace gets its own plan's limits", async () => {
    const ws = freshWs();
    for (let i = 0; i < 8; i++) expect((await access(i % 2 ? a : b, ws, 'alice', 'dedicated')).statusCode).toBe(200);
    const refused = await access(a, ws, 'alice', 'dedicated');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().message).toMatch(/at most 8 a minute on the dedicated plan/);
  });

  it('requests without a valid token, or for another workspace, do not spend its budget', async () => {
    const ws = freshWs();
    const intruder = await contractToken(key, { workspaceId: 'ws-elsewhere', sub: 'alice' });
    const noScope = await contractToken(key, { workspaceId: ws, sub: 'alice', permissions: [] });
    const flood = [];
    for (let i = 0; i < 20; i++) {
      flood.push(a.inject({ url: `/workspaces/${ws}/access` }));
      flood.push(b.inject({ url: `/workspaces/${ws}/access`, headers: { authorization: 'Bearer not.a.token' } }));
      flood.push(a.inject({ url: `/workspaces/${ws}/access`, headers: bearer(intruder) }));
      flood.push(b.inject({ url: `/workspaces/${ws}/access`, headers: bearer(noScope) }));
    }
    const statuses = new Set((await Promise.all(flood)).map((r) => r.statusCode));
    expect([...statuses].sort()).toEqual([401, 403]);
    const keys = await redis.keys(`${prefix}*${ws}*`);
    expect(keys).toEqual([]);
    for (let i = 0; i < 3; i++) expect((await access(i % 2 ? a : b, ws, 'alice')).statusCode).toBe(200);
  });

  it('/metrics counts refusals by route class and limit, never by workspace', async () => {
    const before = (await refusals(a)).get('read/read_per_minute_per_user') ?? 0;
    const ws = freshWs();
    for (let i = 0; i < 3; i++) await access(b, ws, 'carol');
    expect((await access(a, ws, 'carol')).statusCode).toBe(429);
    expect((await access(a, ws, 'carol')).statusCode).toBe(429);
    expect((await refusals(a)).get('read/read_per_minute_per_user')).toBe(before + 2);
    for (const line of await refusalLines(a)) {
      expect(line).toMatch(/^aiops_limit_refusals_total\{route_class="(read|analyze|chat|remediate)",limit="[a-z_]+"\} \d+$/);
      expect(line).not.toContain('ws-');
    }
  });
});
