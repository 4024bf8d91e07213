/**
 * Chat with a real model path: the app configured with OLLAMA_BASE_URL pointing at the local Ollama
 * stand-in (NDJSON streaming, tool calls). Tokens stream from the model, tools run in between, the
 * prompt carries the user's text fenced; an unreachable model falls back to the deterministic
 * answer; a busy thread is refused; a client that disconnects stops the turn (its model call is
 * aborted and the thread is free again long before the model's timeout).
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse } from '../../src/chat/sse.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOllamaStub, startOpenAIStub, type LlmStub } from '../helpers/llm-stubs.js';
import { DEAD_URL } from '../helpers/services.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
type Ev = { event: string; data: Record<string, unknown> };

let key: RsaKey;
const metrics = () =>
  new EmbeddedMetricsSource({ workspaces: [scenarioWorkspace('ws-a', ['memory_leak'])], tenantLabel: 'workspace_id', now: () => NOW });
const token = () => contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read', 'aiops:analyze'], sub: 'alice' });

beforeAll(async () => {
  key = await rsaKey();
});

async function post(app: FastifyInstance, body: Record<string, unknown>) {
  const res = await app.inject({ method: 'POST', url: '/workspaces/ws-a/chat', headers: bearer(await token()), payload: body });
  return { res, events: res.statusCode === 200 ? (parseSse(res.body) as Ev[]) : [] };
}

describe('through the Ollama stand-in', () => {
  let stub: LlmStub;
  let app: FastifyInstance;
  beforeAll(async () => {
    stub = await startOllamaStub([
      { reply: '', toolCalls: [{ name: 'diagnose_workspace', args: { analysis_type: 'anomaly' } }] },
      { reply: 'The api deployment in shop is leaking memory: its working set grows about 270 MiB per hour and it was OOM-killed.' },
    ]);
    app = await testApp(testEnv(key, { OLLAMA_BASE_URL: stub.url, OLLAMA_MODEL: 'stub-model' }), {
      metricsSource: metrics(),
      now: () => NOW,
    });
  });
  afterAll(async () => {
    await app?.close();
    await stub?.close();
  });

  it("tool call, then the model's answer streamed as tokens; evidence from the tool; the user text fenced in the prompt", async () => {
    const { res, events } = await post(app, { message: 'Why is the api restarting?' });
    expect(res.statusCode, res.body).toBe(200);
    const names = events.map((e) => e.event);
    expect(names).toEqual(['thread', 'tool_call', 'tool_result', 'token', 'token', 'answer', 'done']);
    expect(events[1]!.data).toMatchObject({ name: 'diagnose_workspace', args: { analysis_type: 'anomaly' } });
    expect(events[2]!.data).toMatchObject({
      name: 'diagnose_workspace',
      status: 'ok',
      summary: expect.stringMatching(/memory leak in shop\/api/),
    });
    const answer = events.at(-2)!.data as { text: string; mode: string; partial: boolean; evidence: { kind: string; ref: string }[] };
    expect(answer).toMatchObject({ mode: 'llm', partial: false });
    expect(
      events
        .filter((e) => e.event === 'token')
        .map((e) => e.data.text)
        .join(''),
    ).toBe(answer.text);
    expect(answer.text).toMatch(/^The api deployment in shop is leaking memory/);
    expect(answer.evidence.some((e) => e.kind === 'finding' && e.ref.startsWith('memory_growth:shop/api'))).toBe(true);

    const [first, second] = stub.requests.filter((r) => r.path === '/api/chat');
    const messages = first!.body.messages as { role: string; content: string }[];
    expect(messages[0]!.role).toBe('system');
    expect(messages[0]!.content).toMatch(/exactly one workspace: `ws-a`/);
    expect(messages.at(-1)).toMatchObject({
      role: 'user',
      content: expect.stringMatching(
        /^<<<UNTRUSTED_DATA label="user_message"[^\n]*>>>\nWhy is the api restarting\?\n<<<END_UNTRUSTED_DATA/,
      ),
    });
    const tools = (first!.body.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(tools).toEqual(expect.arrayContaining(['diagnose_workspace', 'query_metrics', 'propose_remediation', 'list_alerts']));
    expect(tools).not.toContain('fetch_series');
    // The tool result went back to the model fenced.
    const toolMessage = (second!.body.messages as { role: string; content: string }[]).find((m) => m.role === 'tool');
    expect(toolMessage?.content).toMatch(/^<<<UNTRUSTED_DATA label="tool_result.diagnose_workspace"/);
  });
});

describe('a slow model', () => {
  it('keeps the stream open with SSE comments while nothing else is sent; clients see the same events', async () => {
    const stub = await startOllamaStub([{ reply: 'The api is leaking memory.', delayMs: 2600 }]);
    const app = await testApp(testEnv(key, { OLLAMA_BASE_URL: stub.url, OLLAMA_MODEL: 'stub-model', CHAT_SSE_KEEPALIVE_SECONDS: '1' }), {
      metricsSource: metrics(),
      now: () => NOW,
    });
    try {
      const { res, events } = await post(app, { message: 'Anything I should know?' });
      expect(res.statusCode, res.body).toBe(200);
      const beats = res.body.split(': keep-alive\n\n').length - 1;
      expect(beats).toBeGreaterThanOrEqual(2);
      expect(res.body.indexOf(': keep-alive')).toBeLessThan(res.body.indexOf('event: token'));
      expect(events.map((e) => e.event).filter((name, i, all) => name !== 'token' || all[i - 1] !== 'token')).toEqual([
        'thread',
        'token',
        'answer',
        'done',
      ]);
    } finally {
      await app.close();
      await stub.close();
    }
  });
});

describe('through the OpenAI stand-in (the fallback provider, which does not stream here)', () => {
  it('the answer is sent as token chunks, then the answer event', async () => {
    const stub = await startOpenAIStub([{ reply: 'Nothing is wrong with the frontend; the api is leaking memory.' }]);
    const app = await testApp(testEnv(key, { OPENAI_API_KEY: 'sk-test-not-real', OPENAI_BASE_URL: stub.baseUrl }), {
      metricsSource: metrics(),
      now: () => NOW,
    });
    try {
      const { events } = await post(app, { message: 'is the frontend ok?' });
      const answer = events.find((e) => e.event === 'answer')!.data as { text: string; mode: string };
      expect(answer).toMatchObject({ text: 'Nothing is wrong with the frontend; the api is leaking memory.', mode: 'llm' });
      const tokens = events.filter((e) => e.event === 'token').map((e) => e.data.text as string);
      expect(tokens.length).toBeGreaterThan(1);
      expect(tokens.join('')).toBe(answer.text);
      expect(stub.requests[0]!.body.stream).not.toBe(true);
    } finally {
      await app.close();
      await stub.close();
    }
  });
});

describe('a model failing in the middle of a turn', () => {
  it('JSON mode: the events end with error then done, and the answer is null', async () => {
    const stub = await startOllamaStub([{ reply: '', toolCalls: [{ name: 'list_alerts', args: {} }] }, { status: 500 }]);
    const app = await testApp(testEnv(key, { OLLAMA_BASE_URL: stub.url }), { metricsSource: metrics(), now: () => NOW });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/workspaces/ws-a/chat',
        headers: { ...bearer(await token()), accept: 'application/json' },
        payload: { message: 'any alerts?' },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { answer: unknown; events: Ev[] };
      expect(body.answer).toBeNull();
      expect(body.events.map((e) => e.event)).toEqual(['thread', 'tool_call', 'tool_result', 'error', 'done']);
      expect(body.events[3]!.data).toMatchObject({ reason: 'llm_unavailable' });
    } finally {
      await app.close();
      await stub.close();
    }
  });
});

describe('when the model is unreachable', () => {
  it('the first step falls back to the deterministic answer and says so', async () => {
    const app = await testApp(testEnv(key, { OLLAMA_BASE_URL: DEAD_URL.http, LLM_TIMEOUT_SECONDS: '2' }), {
      metricsSource: metrics(),
      now: () => NOW,
    });
    try {
      const { events } = await post(app, { message: 'what is wrong now?' });
      const answer = events.find((e) => e.event === 'answer')!.data as { text: string; mode: string };
      expect(answer.mode).toBe('deterministic');
      expect(answer.text).toMatch(/^The language model is unavailable right now .*deterministic mode\.\n\n/s);
      expect(answer.text).toMatch(/memory leak in shop\/api/);
    } finally {
      await app.close();
    }
  });
});

describe('one turn at a time, and a client that disconnects stops the turn', () => {
  let stub: LlmStub;
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    // The first model call never answers; later ones answer at once.
    stub = await startOllamaStub((_req, index) => (index === 0 ? { hang: true } : { reply: 'Back again.' }));
    app = await testApp(testEnv(key, { OLLAMA_BASE_URL: stub.url, LLM_TIMEOUT_SECONDS: '60' }), {
      metricsSource: metrics(),
      now: () => NOW,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await stub?.close();
  });

  it('409 while a turn runs on the thread; after the client disconnects the turn stops and the thread is free again', async () => {
    // A plain HTTP/1.1 client without keep-alive: reading the first event, then hanging up is a real disconnect.
    const { threadId, hangUp } = await new Promise<{ threadId: string; hangUp: () => void }>((resolve, reject) => {
      void token().then((t) => {
        const req = request(
          `${base}/workspaces/ws-a/chat`,
          { method: 'POST', agent: false, headers: { ...bearer(t), 'content-type': 'application/json', accept: 'text/event-stream' } },
          (res) => {
            expect(res.statusCode).toBe(200);
            let text = '';
            res.on('data', (chunk: Buffer) => {
              text += chunk.toString('utf8');
              if (text.includes('\n\n'))
                resolve({ threadId: (parseSse(text)[0]!.data as { thread_id: string }).thread_id, hangUp: () => req.destroy() });
            });
          },
        );
        req.on('error', () => undefined); // the hang-up itself
        req.end(JSON.stringify({ message: 'hello there, how are things?' }));
      }, reject);
    });
    for (let i = 0; i < 50 && stub.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20)); // the model call is under way

    const busy = await app.inject({
      method: 'POST',
      url: '/workspaces/ws-a/chat',
      headers: bearer(await token()),
      payload: { message: 'anyone?', thread_id: threadId },
    });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().reason).toBe('thread_busy');

    const started = Date.now();
    hangUp();
    let next = busy;
    while (next.statusCode === 409 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      next = await app.inject({
        method: 'POST',
        url: '/workspaces/ws-a/chat',
        headers: bearer(await token()),
        payload: { message: 'are you back?', thread_id: threadId },
      });
    }
    // Freed well before the 60 s model timeout: the disconnect aborted the turn.
    expect(next.statusCode, next.body).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    const events = parseSse(next.body) as Ev[];
    expect(events.find((e) => e.event === 'answer')!.data).toMatchObject({ text: 'Back again.', mode: 'llm' });
    const view = (await app.inject({ url: `/workspaces/ws-a/chat/threads/${threadId}`, headers: bearer(await token()) })).json();
    expect(view.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'user', 'assistant']);
  });
});
