import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HumanMessage } from '@langchain/core/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../src/audit/event.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { createChatLlm } from '../../src/llm/chat-llm.js';
import { createTracing } from '../../src/llm/tracing.js';
import { startOpenAIStub, type LlmStub } from '../helpers/llm-stubs.js';

const auth: AuthContext = {
  sub: 'alice',
  workspaceId: 'ws-demo',
  permissions: ['aiops:read'],
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: 4_000_000_000,
  rawToken: 'x',
};

interface Post {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let langfuse: Server;
let langfuseUrl = '';
const posts: Post[] = [];
let openai: LlmStub;

beforeAll(async () => {
  langfuse = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => langfuse.listen(0, '127.0.0.1', resolve));
  langfuseUrl = `http://127.0.0.1:${(langfuse.address() as AddressInfo).port}`;
  openai = await startOpenAIStub([{ reply: 'traced answer', usage: { input: 5, output: 3 } }]);
});

afterAll(async () => {
  await openai.close();
  langfuse.closeAllConnections();
  await new Promise<void>((resolve) => langfuse.close(() => resolve()));
});

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  name: string;
  traceId: string;
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpBody {
  resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
}

/** Flattens OTLP/JSON export bodies into spans with plain attributes. */
function spansOf(posts: Post[]): { name: string; traceId: string; attrs: Record<string, unknown> }[] {
  return posts.flatMap((p) =>
    (JSON.parse(p.body) as OtlpBody).resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) =>
        ss.spans.map((sp) => ({
          name: sp.name,
          traceId: sp.traceId,
          attrs: Object.fromEntries(
            (sp.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue]),
          ),
        })),
      ),
    ),
  );
}

describe('Langfuse tracing', () => {
  it('is off unless public key, secret key and host are all set', async () => {
    expect(await createTracing({ publicKey: 'pk-lf-1', secretKey: 'sk-lf-1' })).toBeUndefined();
    expect(await createTracing({})).toBeUndefined();
  });

  it('exports a traced model call over OTLP with Basic auth, session, user and prompt metadata', async () => {
    const tracing = await createTracing({ publicKey: 'pk-lf-test', secretKey: 'sk-lf-test', host: langfuseUrl, environment: 'test' }); // batched, as in production: shutdown() flushes
    expect(tracing).toBeDefined();
    const events: AuditEventInput[] = [];
    const chat = createChatLlm({
      openai: { apiKey: 'sk-test', baseUrl: openai.baseUrl, model: 'gpt-4o-mini' },
      timeoutMs: 5000,
      audit: {
        record: async (e) => {
          events.push(e);
        },
      },
      tracing,
    });
    const result = await chat?.invoke([new HumanMessage('hello')], {
      prompt: { name: 'chat', hash: 'f'.repeat(64) },
      operation: 'chat',
      auth,
      sessionId: 'thread-42',
    });
    expect(result?.message.content).toBe('traced answer');
    await tracing?.shutdown();

    const traces = posts.filter((p) => p.path === '/api/public/otel/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    const basic = `Basic ${Buffer.from('pk-lf-test:sk-lf-test').toString('base64')}`;
    for (const p of traces) expect(p.headers.authorization).toBe(basic);
    const spans = spansOf(traces);
    const names = spans.map((sp) => sp.name);
    expect(names).toEqual(expect.arrayContaining(['llm:chat:chat', 'openai:gpt-4o-mini']));
    // one trace; its root carries the session (thread) and the user (sub), which Langfuse applies to the trace
    expect(new Set(spans.map((sp) => sp.traceId)).size).toBe(1);
    expect(spans.find((sp) => sp.name === 'llm:chat:chat')?.attrs).toMatchObject({
      'session.id': 'thread-42',
      'user.id': 'alice',
      'langfuse.trace.metadata.prompt_hash': 'f'.repeat(64),
    });
    const generation = spans.find((sp) => sp.name === 'openai:gpt-4o-mini');
    expect(generation?.attrs).toMatchObject({
      'langfuse.observation.type': 'generation',
      'langfuse.observation.metadata.prompt_name': 'chat',
      'langfuse.observation.metadata.prompt_hash': 'f'.repeat(64),
    });
    expect(events).toHaveLength(1);
  });
});
