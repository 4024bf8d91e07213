import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuditEventInput, AuditLog } from '../../src/audit/event.js';
import { normalizeEvent } from '../../src/audit/event.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { createChatLlm, type ChatLlmOptions, type ChatLlmResult } from '../../src/llm/chat-llm.js';
import { LlmUnavailableError } from '../../src/llm/errors.js';
import type { LlmCallOptions } from '../../src/llm/types.js';
import { startOllamaStub, startOpenAIStub, type LlmStub } from '../helpers/llm-stubs.js';

const auth: AuthContext = {
  sub: 'alice',
  workspaceId: 'ws-demo',
  permissions: ['aiops:read', 'aiops:analyze'],
  planType: 'shared',
  orgIds: ['org-1'],
  tokenType: 'aiops-contract',
  expiresAt: 4_000_000_000,
  rawToken: 'eyJraw.token.value',
};
const PROMPT_TEXT = 'You are the diagnostician. SECRET-PROMPT-TEXT';
const call = (extra: Partial<LlmCallOptions> = {}): LlmCallOptions => ({
  prompt: { name: 'diagnosis', hash: 'a'.repeat(64) },
  operation: 'diagnose',
  auth,
  sessionId: 'thread-1',
  requestId: 'req-1',
  ...extra,
});
const messages = () => [new SystemMessage(PROMPT_TEXT), new HumanMessage('why is cart restarting?')];

const getPods = tool(async ({ namespace }) => `pods of ${namespace}`, {
  name: 'get_pods',
  description: 'List pods of a namespace',
  schema: z.object({ namespace: z.string() }),
});

class FakeAudit implements AuditLog {
  events: AuditEventInput[] = [];
  fail = false;
  async record(event: AuditEventInput): Promise<void> {
    if (this.fail) throw new Error('spool full');
    normalizeEvent(event); // must satisfy the real schema
    this.events.push(event);
  }
  details(i: number): Record<string, unknown> {
    return this.events[i]?.details as Record<string, unknown>;
  }
}

let stubs: LlmStub[] = [];
afterEach(async () => {
  await Promise.all(stubs.map((s) => s.close()));
  stubs = [];
});
const ollama = async (...args: Parameters<typeof startOllamaStub>) => {
  const s = await startOllamaStub(...args);
  stubs.push(s);
  return s;
};
const openai = async (...args: Parameters<typeof startOpenAIStub>) => {
  const s = await startOpenAIStub(...args);
  stubs.push(s);
  return s;
};

function llm(audit: AuditLog, o: { ollama?: LlmStub; openai?: LlmStub; timeoutMs?: number }) {
  const options: ChatLlmOptions = {
    ollama: o.ollama ? { baseUrl: o.ollama.url, model: 'llama3.1:8b' } : undefined,
    openai: o.openai ? { apiKey: 'sk-test-0123456789abcdefghij', baseUrl: o.openai.baseUrl, model: 'gpt-4o-mini' } : undefined,
    timeoutMs: o.timeoutMs ?? 5000,
    audit,
  };
  const chat = createChatLlm(options);
  if (!chat) throw new Error('expected a ChatLlm');
  return chat;
}

describe('createChatLlm', () => {
  it('is undefined when no provider is configured', () => {
    expect(createChatLlm({ timeoutMs: 1000, audit: new FakeAudit() })).toBeUndefined();
  });

  it('lists providers in the order they are tried', async () => {
    const chat = llm(new FakeAudit(), { ollama: await ollama([{ reply: 'x' }]), openai: await openai([{ reply: 'y' }]) });
    expect(chat.providers).toEqual(['ollama:llama3.1:8b', 'openai:gpt-4o-mini']);
  });
});

describe('Ollama (local /api/chat stub)', () => {
  it('answers, reports usage and audits one llm_call', async () => {
    const stub = await ollama([{ reply: 'The cart pod is OOM killed.', usage: { input: 31, output: 8 } }]);
    const audit = new FakeAudit();
    const result = await llm(audit, { ollama: stub }).invoke(messages(), call());
    expect(result.message.content).toBe('The cart pod is OOM killed.');
    expect(result).toMatchObject({
      provider: 'ollama',
      model: 'llama3.1:8b',
      fallbackUsed: false,
      usage: { inputTokens: 31, outputTokens: 8, estimated: false },
    });
    expect(stub.requests[0]?.body).toMatchObject({ model: 'llama3.1:8b', stream: true });
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({
      event_type: 'llm_call',
      user_id: 'alice',
      workspace_id: 'ws-demo',
      initiated_by: 'AIOpsAgent',
      request_id: 'req-1',
    });
    expect(audit.details(0)).toMatchObject({
      session_id: 'thread-1',
      provider: 'ollama',
      model: 'llama3.1:8b',
      prompt_name: 'diagnosis',
      prompt_hash: 'a'.repeat(64),
      input_tokens: 31,
      output_tokens: 8,
      cost_usd: 0,
      fallback_used: false,
      operation: 'diagnose',
      status: 'ok',
    });
  });

  it('round-trips a tool call', async () => {
    const stub = await ollama([
      { reply: '', toolCalls: [{ name: 'get_pods', args: { namespace: 'shop' } }] },
      { reply: 'cart-1 is restarting' },
    ]);
    const chat = llm(new FakeAudit(), { ollama: stub });
    const first = await chat.invoke(messages(), call({ tools: [getPods] }));
    const tc = first.message.tool_calls?.[0];
    expect(tc).toMatchObject({ name: 'get_pods', args: { namespace: 'shop' } });
    expect(stub.requests[0]?.body.tools).toEqual([
      expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'get_pods' }) }),
    ]);
    const second = await chat.invoke(
      [...messages(), first.message, new ToolMessage({ content: 'cart-1 restarts=5', tool_call_id: tc?.id ?? '' })],
      call({ tools: [getPods] }),
    );
    expect(second.message.content).toBe('cart-1 is restarting');
    const sent = stub.requests[1]?.body.messages as { role: string; content: string; tool_calls?: unknown[] }[];
    expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(sent[2]?.tool_calls).toHaveLength(1);
    expect(sent[3]?.content).toBe('cart-1 restarts=5');
  });
});

describe('OpenAI (local /v1/chat/completions stub)', () => {
  it('answers with usage from the response, priced, without tiktoken or any other network', async () => {
    const stub = await openai([{ reply: 'Memory leak in cart.', usage: { input: 1000, output: 500 } }]);
    const audit = new FakeAudit();
    const started = Date.now();
    const result = await llm(audit, { openai: stub }).invoke(messages(), call());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      fallbackUsed: false,
      usage: { inputTokens: 1000, outputTokens: 500, estimated: false },
    });
    expect(stub.requests[0]?.headers.authorization).toBe('Bearer sk-test-0123456789abcdefghij');
    expect(stub.requests[0]?.body.stream).toBeFalsy();
    expect(audit.details(0)).toMatchObject({ provider: 'openai', status: 'ok', cost_usd: (1000 * 0.15 + 500 * 0.6) / 1e6 });
  });

  it('estimates usage (marked) when the provider reports none, still quickly', async () => {
    const stub = await openai([{ reply: 'x'.repeat(40), usage: null }]);
    const urls: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return realFetch(input, init);
    };
    const started = Date.now();
    const result = (await llm(new FakeAudit(), { openai: stub })
      .invoke(messages(), call())
      .finally(() => {
        globalThis.fetch = realFetch;
      })) as ChatLlmResult;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(urls.length).toBeGreaterThan(0);
    expect(urls.every((u) => u.startsWith(stub.url))).toBe(true); // no tiktoken download, nothing off-box
    expect(result.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 10, estimated: true });
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('round-trips tool_calls', async () => {
    const stub = await openai([
      { reply: '', toolCalls: [{ name: 'get_pods', args: { namespace: 'shop' }, id: 'call_abc' }] },
      { reply: 'done' },
    ]);
    const chat = llm(new FakeAudit(), { openai: stub });
    const first = await chat.invoke(messages(), call({ tools: [getPods] }));
    expect(first.message.tool_calls).toEqual([expect.objectContaining({ name: 'get_pods', args: { namespace: 'shop' }, id: 'call_abc' })]);
    expect(stub.requests[0]?.body.tools).toEqual([
      expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'get_pods' }) }),
    ]);
    const second = await chat.invoke(
      [...messages(), first.message, new ToolMessage({ content: 'cart-1', tool_call_id: 'call_abc' })],
      call({ tools: [getPods] }),
    );
    expect(second.message.content).toBe('done');
    const sent = stub.requests[1]?.body.messages as { role: string; tool_call_id?: string }[];
    expect(sent.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(sent[3]?.tool_call_id).toBe('call_abc');
  });
});

describe('fallback', () => {
  it('falls back from a failing (500) Ollama to OpenAI and audits both attempts', async () => {
    const audit = new FakeAudit();
    const result = await llm(audit, { ollama: await ollama([{ status: 500 }]), openai: await openai([{ reply: 'from openai' }]) }).invoke(
      messages(),
      call(),
    );
    expect(result).toMatchObject({ provider: 'openai', fallbackUsed: true });
    expect(result.message.content).toBe('from openai');
    expect(audit.events.map((e) => [(e.details as { provider: string }).provider, (e.details as { status: string }).status])).toEqual([
      ['ollama', 'error'],
      ['openai', 'ok'],
    ]);
    expect(audit.details(1)).toMatchObject({ fallback_used: true });
  });

  it('falls back from a hanging Ollama on timeout, quickly', async () => {
    const audit = new FakeAudit();
    const hanging = await ollama([{ hang: true }]);
    const started = Date.now();
    const result = await llm(audit, { ollama: hanging, openai: await openai([{ reply: 'from openai' }]), timeoutMs: 300 }).invoke(
      messages(),
      call(),
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ provider: 'openai', fallbackUsed: true });
    expect(audit.details(0)).toMatchObject({ provider: 'ollama', status: 'timeout', input_tokens: 0, output_tokens: 0 });
    expect(audit.details(0).latency_ms).toBeGreaterThanOrEqual(250);
  });

  it('throws a clear error when every provider fails, having audited each attempt', async () => {
    const audit = new FakeAudit();
    const chat = llm(audit, { ollama: await ollama([{ status: 503 }]), openai: await openai([{ hang: true }]), timeoutMs: 300 });
    const err = await chat.invoke(messages(), call()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmUnavailableError);
    expect((err as Error).message).toMatch(/no LLM provider answered: ollama:llama3.1:8b error .*; openai:gpt-4o-mini timeout/);
    expect(audit.events.map((e) => (e.details as { status: string }).status)).toEqual(['error', 'timeout']);
  });

  it('uses the per-call timeout over the default', async () => {
    const audit = new FakeAudit();
    const chat = llm(audit, {
      ollama: await ollama([{ reply: 'late', delayMs: 1000 }]),
      openai: await openai([{ reply: 'on time' }]),
      timeoutMs: 10_000,
    });
    const result = await chat.invoke(messages(), call({ timeoutMs: 200 }));
    expect(result.provider).toBe('openai');
  });
});

describe('audit', () => {
  it('never records prompts, outputs or keys', async () => {
    const audit = new FakeAudit();
    await llm(audit, {
      ollama: await ollama([{ status: 500, body: '{"error":"model said SECRET-PROMPT-TEXT"}' }]),
      openai: await openai([{ reply: 'OUTPUT-TEXT' }]),
    }).invoke(messages(), call());
    const dump = JSON.stringify(audit.events);
    expect(dump).not.toContain('SECRET-PROMPT-TEXT');
    expect(dump).not.toContain('OUTPUT-TEXT');
    expect(dump).not.toContain('sk-test');
    expect(dump).not.toContain('eyJraw');
  });

  it('fails the call when the audit event cannot be recorded (no unaudited LLM use)', async () => {
    const audit = new FakeAudit();
    audit.fail = true;
    const stub = await openai([{ reply: 'ok' }]);
    await expect(llm(audit, { openai: stub }).invoke(messages(), call())).rejects.toThrow('spool full');
    expect(stub.requests).toHaveLength(1);
  });

  it('records a result that is still an AIMessage', async () => {
    const result = await llm(new FakeAudit(), { ollama: await ollama([{ reply: 'hi' }]) }).invoke(messages(), call());
    expect(AIMessage.isInstance(result.message)).toBe(true);
  });
});
