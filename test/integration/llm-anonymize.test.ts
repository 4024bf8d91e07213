/**
 * Anonymisation end to end: the real app's chat, with a recording stand-in for an OpenAI-compatible
 * provider that answers with a tool call on the tokens it was shown. With LLM_ANONYMIZE=always no
 * request body carries a real name of the workspace (its namespaces, pods, containers, the workspace
 * id, the user), the tool still runs on the real namespace, and the answer the user reads says the
 * real names. With `never`, and with `external` for a provider on loopback (inside the cluster), the
 * names go as they are.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOpenAIStub, type LlmStub, type StubRequest } from '../helpers/llm-stubs.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const WS = 'ws-anon-7731';
const SUB = 'carol.lee@example.com';

let key: RsaKey;
let metrics: EmbeddedMetricsSource;
/** Every real name of the workspace a prompt could carry. */
let realNames: string[];
const open: { app?: FastifyInstance; stub?: LlmStub }[] = [];

beforeAll(async () => {
  key = await rsaKey();
  metrics = new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace(WS, ['memory_leak'])],
    tenantLabel: 'workspace_id',
    now: () => NOW,
  });
  const containers = await metrics.instant({ workspaceId: WS }, { kind: 'catalog', name: 'container_info', args: {} }, NOW / 1000);
  const labels = (containers.data.result as { metric: Record<string, string> }[]).flatMap((s) => [
    s.metric.namespace!,
    s.metric.pod!,
    s.metric.container!,
  ]);
  realNames = [...new Set([...labels.filter(Boolean), WS, SUB])];
  expect(realNames).toContain('shop');
  expect(realNames.length).toBeGreaterThan(4);
});
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.app?.close();
    await o.stub?.close();
  }
});

/** First answer: query_metrics for memory on whatever namespace token the prompt shows; then a reply naming it. */
function scriptedStub() {
  return startOpenAIStub((request: StubRequest, index: number) => {
    // The token the user's own message shows for "shop" (the stand-in plays a model that reads it).
    const user = (request.body.messages as { role: string; content: unknown }[]).filter((m) => m.role === 'user').at(-1);
    const namespace = /in (anon-namespace-\d+)/.exec(JSON.stringify(user?.content ?? ''))?.[1] ?? 'shop';
    if (index === 0)
      return {
        reply: '',
        toolCalls: [{ name: 'query_metrics', args: { name: 'memory_working_set', filters: { namespace }, mode: 'instant' } }],
      };
    return { reply: `Memory in ${namespace} keeps growing: a leak.` };
  });
}

async function turn(env: Record<string, string>) {
  const stub = await scriptedStub();
  const app = await testApp(
    testEnv(key, {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: stub.baseUrl,
      AIOPS_DATA_DIR: `/tmp/aiops-test-data/anon-${process.pid}`,
      ...env,
    }),
    { metricsSource: metrics, now: () => NOW },
  );
  open.push({ app, stub });
  const token = await contractToken(key, { workspaceId: WS, sub: SUB, permissions: ['aiops:read', 'aiops:analyze'] });
  const res = await app.inject({
    method: 'POST',
    url: `/workspaces/${WS}/chat`,
    headers: { ...bearer(token), accept: 'application/json' },
    payload: { message: `Why does memory of the api in shop keep growing? I am ${SUB}.` },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json<{ answer: { text: string }; events: { event: string; data: Record<string, unknown> }[] }>();
  // What a request says (its messages and tool declarations), not the names of its JSON fields.
  return { stub, body, sent: stub.requests.map((r) => JSON.stringify([r.body.messages, r.body.tools])) };
}

const leaked = (sent: string[]) =>
  realNames.filter((name) =>
    // eslint-disable-next-line security/detect-non-literal-regexp -- the name is escaped
    sent.some((s) => new RegExp(`(?<![A-Za-z0-9_.-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`).test(s)),
  );

describe('LLM anonymisation', () => {
  it('always: no real name in any request body; the tool runs on the real namespace; the answer is restored', async () => {
    const { sent, body } = await turn({ LLM_ANONYMIZE: 'always' });
    expect(sent.length).toBeGreaterThanOrEqual(2); // the tool call, then the answer after the tool result
    expect(leaked(sent)).toEqual([]);
    expect(sent.join('\n')).toMatch(/anon-namespace-\d+/);
    const call = body.events.find((e) => e.event === 'tool_call')!;
    expect(call.data).toMatchObject({ name: 'query_metrics', args: { filters: { namespace: 'shop' } } });
    const result = body.events.find((e) => e.event === 'tool_result')!;
    expect(result.data.status, JSON.stringify(result.data)).toBe('ok');
    expect(body.answer.text).toBe('Memory in shop keeps growing: a leak.');
  });

  it('never: the names go as they are', async () => {
    const { sent } = await turn({ LLM_ANONYMIZE: 'never' });
    expect(leaked(sent)).toEqual(expect.arrayContaining(['shop', WS]));
  });

  it('external (the default): a provider on loopback is inside the cluster, so its prompts are not rewritten', async () => {
    const { sent } = await turn({});
    expect(leaked(sent)).toContain('shop');
    expect(sent.join('\n')).not.toMatch(/anon-[a-z]+-\d+/);
  });
});
