/**
 * The service's own metrics on /metrics after real work: an analysis run, a chat turn answered by an
 * OpenAI-compatible stand-in (tokens and cost counted), a remediation proposed and rejected. Names
 * present, values incremented by what was done, and no workspace id or user in any of their labels.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOpenAIStub, type LlmStub } from '../helpers/llm-stubs.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const WS = 'ws-metrics-7781';
let key: RsaKey;
let app: FastifyInstance;
let llm: LlmStub;

const token = (sub = 'alice') =>
  contractToken(key, { workspaceId: WS, permissions: ['aiops:read', 'aiops:analyze', 'aiops:remediate'], sub });

/** The value of one series, 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const scrape = async () => (await app.inject({ url: '/metrics' })).body;

beforeAll(async () => {
  key = await rsaKey();
  llm = await startOpenAIStub([{ reply: 'Nothing is wrong with the cache: memory is stable.', usage: { input: 1200, output: 80 } }]);
  const metrics = new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace(WS, ['memory_leak'])],
    tenantLabel: 'workspace_id',
    now: () => NOW,
  });
  app = await testApp(testEnv(key, { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: llm.baseUrl, OPENAI_MODEL: 'gpt-4o-mini' }), {
    metricsSource: metrics,
    now: () => NOW,
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await llm?.close();
});

describe('service metrics', () => {
  it('count LLM calls with their tokens and cost, chat turns, analysis runs and remediation changes', async () => {
    const before = await scrape();
    const chat = await app.inject({
      method: 'POST',
      url: `/workspaces/${WS}/chat`,
      headers: { ...bearer(await token()), accept: 'application/json' },
      payload: { message: 'Tell me in your own words whether anything about the cache worries you.' },
    });
    expect(chat.statusCode, chat.body).toBe(200);
    const run = await app.inject({
      method: 'POST',
      url: `/workspaces/${WS}/analyze`,
      headers: bearer(await token()),
      payload: { analysis_type: 'anomaly', time_range_minutes: 60 },
    });
    expect([200, 202], run.body).toContain(run.statusCode);
    const proposed = await app.inject({
      method: 'POST',
      url: `/workspaces/${WS}/remediate`,
      headers: bearer(await token()),
      payload: {
        actions: [{ action_type: 'restart_application', target_resource: 'deployment/cache', namespace: 'shop', parameters: {} }],
      },
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const rejected = await app.inject({
      method: 'POST',
      url: `/workspaces/${WS}/remediations/${proposed.json<{ id: string }>().id}/reject`,
      headers: bearer(await token('bob')),
      payload: {},
    });
    expect(rejected.statusCode, rejected.body).toBe(200);

    // The run settles in the background when it answered 202.
    const until = Date.now() + 20_000;
    let after = await scrape();
    while (!/aiops_analysis_runs_total\{status="/.test(after) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      after = await scrape();
    }
    const delta = (series: string) => value(after, series) - value(before, series);
    expect(llm.requests.length).toBeGreaterThan(0);
    expect(delta('aiops_llm_calls_total{provider="openai",model="gpt-4o-mini",outcome="ok",fallback="false"}')).toBe(llm.requests.length);
    expect(delta('aiops_llm_tokens_total{provider="openai",model="gpt-4o-mini",direction="input"}')).toBe(1200 * llm.requests.length);
    expect(delta('aiops_llm_tokens_total{provider="openai",model="gpt-4o-mini",direction="output"}')).toBe(80 * llm.requests.length);
    expect(delta('aiops_llm_cost_usd_total{provider="openai",model="gpt-4o-mini"}')).toBeGreaterThan(0);
    expect(delta('aiops_chat_turns_total{outcome="completed"}')).toBe(1);
    expect(after).toMatch(/aiops_analysis_runs_total\{status="(completed|awaiting_approval)"\} 1/);
    // Every remediation of the workspace was proposed once: ours, and the analysis run's own proposal when it made one.
    const all = await app.inject({ url: `/workspaces/${WS}/remediations?limit=200`, headers: bearer(await token()) });
    expect(delta('aiops_remediation_transitions_total{to="pending_approval"}')).toBe(
      all.json<{ remediations: unknown[] }>().remediations.length,
    );
    expect(delta('aiops_remediation_transitions_total{to="rejected"}')).toBe(1);
    const ours = after.split('\n').filter((l) => /^aiops_(llm|chat|analysis_runs|remediation_transitions|mcp)_/.test(l));
    expect(ours.join('\n')).not.toMatch(new RegExp(`${WS}|alice|bob`));
  });
});
