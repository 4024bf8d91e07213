/**
 * The daily LLM budget per workspace (tokens and cost per UTC day, by plan), with the LLM stand-ins:
 * two replicas on the real Redis spend one budget; once it is spent, chat turns and analyses go on
 * in the deterministic mode and say why, without calling the model; another workspace keeps its
 * budget; the refusals are counted. The cost budget prices calls like the audit does.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utcDay } from '../../src/limits/llm-ledger.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { dropKeys, limitsPrefix, refusals } from '../helpers/limits.js';
import { startOllamaStub, startOpenAIStub, type LlmStub } from '../helpers/llm-stubs.js';
import { DEAD_URL, services } from '../helpers/services.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const prefix = limitsPrefix('limits-llm-budget');
const run = `${process.pid}-${Date.now()}`;
let seq = 0;
const freshWs = () => `ws-llm-${run}-${++seq}`;
const metrics = () => new EmbeddedMetricsSource({ workspaces: [], tenantLabel: 'workspace_id', now: () => NOW });

let key: RsaKey;
let redis: Redis;
const apps: FastifyInstance[] = [];
const stubs: LlmStub[] = [];

beforeAll(async () => {
  key = await rsaKey();
  redis = new Redis(services.redisUrl);
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await Promise.all(stubs.map((s) => s.close()));
  await dropKeys(redis, prefix);
  await redis.quit();
});

async function app(env: Record<string, string>): Promise<FastifyInstance> {
  const built = await testApp(
    testEnv(key, { CLICKHOUSE_URL: DEAD_URL.http, AIOPS_DATA_DIR: `/tmp/aiops-test-data/llm-budget-${run}-${++seq}`, ...env }),
    { limitsKeyPrefix: prefix, metricsSource: metrics(), now: () => NOW },
  );
  apps.push(built);
  return built;
}

const token = (ws: string) => contractToken(key, { workspaceId: ws, sub: 'alice', permissions: ['aiops:read', 'aiops:analyze'] });

async function chat(target: FastifyInstance, ws: string) {
  const res = await target.inject({
    method: 'POST',
    url: `/workspaces/${ws}/chat`,
    headers: { ...bearer(await token(ws)), accept: 'application/json' },
    payload: { message: 'what is wrong now?' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().answer as { text: string; mode: 'llm' | 'deterministic' };
}

/** Model calls only: the readiness monitor also probes the stub's `/api/version` every few seconds. */
const modelCalls = (stub: LlmStub) => stub.requests.filter((r) => r.path !== '/api/version').length;
describe('the daily token budget, shared by two replicas', () => {
  let stub: LlmStub;
  let a: FastifyInstance;
  let b: FastifyInstance;
  beforeAll(async () => {
    stub = await startOllamaStub([{ reply: 'Nothing is wrong.', usage: { input: 12, output: 7 } }]); // 19 tokens a call
    stubs.push(stub);
    const env = {
      REDIS_URL: services.redisUrl,
      OLLAMA_BASE_URL: stub.url,
      OLLAMA_MODEL: 'stub-model',
      LIMITS_SHARED: 'llm_tokens_per_day=30',
    };
    [a, b] = [await app(env), await app(env)];
  });

  it('once spent, chat answers deterministically and says why, without calling the model; another workspace keeps its budget', async () => {
    const ws = freshWs();
    expect((await chat(a, ws)).mode).toBe('llm'); // 19 of 30
    expect((await chat(b, ws)).mode).toBe('llm'); // 38: spent, counted on the other replica
    expect(await redis.hget(`${prefix}llm:${ws}:${utcDay(Date.now())}`, 'tokens')).toBe('38');
    const calls = modelCalls(stub);
    const before = (await refusals(a)).get('chat/llm_tokens_per_day') ?? 0;
    const answer = await chat(a, ws);
    expect(answer.mode).toBe('deterministic');
    expect(answer.text).toMatch(
      /daily LLM budget is used up: 30 tokens a day on the shared plan, until \d{4}-\d\d-\d\dT00:00:00\.000Z\), so this answer comes from the deterministic mode/,
    );
    expect(modelCalls(stub)).toBe(calls);
    expect((await refusals(a)).get('chat/llm_tokens_per_day')).toBe(before + 1);

    expect((await chat(b, freshWs())).mode).toBe('llm');
  });

  it('once spent, an analysis runs deterministically and its result says why', async () => {
    const ws = freshWs();
    await chat(a, ws);
    await chat(a, ws);
    const calls = modelCalls(stub);
    const res = await b.inject({
      method: 'POST',
      url: `/workspaces/${ws}/analyze`,
      headers: bearer(await token(ws)),
      payload: { time_range_minutes: 30 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.plan.planned_by).toBe('deterministic');
    expect(body.errors).toContainEqual({
      node: 'planner',
      kind: 'llm_budget_exhausted',
      message: expect.stringMatching(/^deterministic plan used: this workspace's daily LLM budget is used up/),
    });
    expect(modelCalls(stub)).toBe(calls);
    expect((await refusals(b)).get('analyze/llm_tokens_per_day')).toBeGreaterThanOrEqual(1);
  });
});

describe('in the embedded mode (no Redis)', () => {
  it('a budget spent in the middle of a turn: the turn still ends with a deterministic answer saying why', async () => {
    const stub = await startOllamaStub([
      { reply: '', toolCalls: [{ name: 'list_alerts', args: { state: 'any' } }], usage: { input: 12, output: 7 } },
      { reply: 'No alerts are firing.' },
    ]);
    stubs.push(stub);
    const target = await app({ OLLAMA_BASE_URL: stub.url, OLLAMA_MODEL: 'stub-model', LIMITS_SHARED: 'llm_tokens_per_day=19' });
    const answer = await chat(target, freshWs());
    expect(modelCalls(stub)).toBe(1); // the second model call of the turn was not made
    expect(answer.mode).toBe('deterministic');
    expect(answer.text).toMatch(/daily LLM budget is used up: 19 tokens a day/);
  });

  it('prices each call like the audit does and stops calling the model past it', async () => {
    const stub = await startOpenAIStub([{ reply: 'Nothing is wrong.', usage: { input: 20, output: 9 } }]); // gpt-4o: 0.00014 USD a call
    stubs.push(stub);
    const target = await app({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: stub.baseUrl,
      OPENAI_MODEL: 'gpt-4o',
      LIMITS_SHARED: 'llm_usd_per_day=0.0001',
    });
    const ws = freshWs();
    expect((await chat(target, ws)).mode).toBe('llm');
    const answer = await chat(target, ws);
    expect(answer.mode).toBe('deterministic');
    expect(answer.text).toMatch(/0\.0001 USD a day on the shared plan/);
    expect(modelCalls(stub)).toBe(1);
    expect((await chat(target, freshWs())).mode).toBe('llm');
  });
});
