/**
 * Local stand-ins for the two LLM providers, scripted per request: Ollama's `/api/chat` (NDJSON
 * stream, as ChatOllama always streams) and OpenAI's `/v1/chat/completions` (JSON, non-streaming).
 * A script is a list of steps consumed in order (the last one repeats) or a function of the request.
 * Steps: a reply (text and/or tool calls, optional usage), an HTTP error, or a hang (no answer).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubToolCall {
  name: string;
  args: Record<string, unknown>;
  id?: string;
}
export type StubStep =
  | { reply: string; toolCalls?: StubToolCall[]; usage?: { input: number; output: number } | null; delayMs?: number }
  | { status: number; body?: string }
  | { hang: true };
export type StubScript = readonly StubStep[] | ((request: StubRequest, index: number) => StubStep);

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface LlmStub {
  /** Server origin, e.g. http://127.0.0.1:41234 (Ollama's baseUrl). */
  url: string;
  /** OpenAI-style base URL (`<url>/v1`). */
  baseUrl: string;
  /** Every request received, parsed. */
  requests: StubRequest[];
  /** Requests whose client hung up before they were answered (an aborted model call). */
  readonly abandoned: number;
  close(): Promise<void>;
}

type Render = (step: Extract<StubStep, { reply: string }>, body: Record<string, unknown>) => { contentType: string; payload: string };

export function startOllamaStub(script: StubScript): Promise<LlmStub> {
  return startStub('/api/chat', script, (step, body) => {
    const model = typeof body.model === 'string' ? body.model : 'stub';
    const lines: unknown[] = [];
    const half = Math.ceil(step.reply.length / 2);
    for (const part of step.reply ? [step.reply.slice(0, half), step.reply.slice(half)] : []) {
      lines.push({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: part }, done: false });
    }
    const usage = step.usage === undefined ? { input: 12, output: 7 } : step.usage;
    lines.push({
      model,
      created_at: new Date().toISOString(),
      message: {
        role: 'assistant',
        content: '',
        ...(step.toolCalls ? { tool_calls: step.toolCalls.map((t) => ({ function: { name: t.name, arguments: t.args } })) } : {}),
      },
      done: true,
      done_reason: 'stop',
      ...(usage ? { prompt_eval_count: usage.input, eval_count: usage.output } : {}),
    });
    return { contentType: 'application/x-ndjson', payload: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' };
  });
}

export function startOpenAIStub(script: StubScript): Promise<LlmStub> {
  return startStub('/v1/chat/completions', script, (step, body) => {
    const usage = step.usage === undefined ? { input: 20, output: 9 } : step.usage;
    const toolCalls = step.toolCalls?.map((t, i) => ({
      id: t.id ?? `call_${i + 1}`,
      type: 'function',
      function: { name: t.name, arguments: JSON.stringify(t.args) },
    }));
    return {
      contentType: 'application/json',
      payload: JSON.stringify({
        id: 'chatcmpl-stub',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: typeof body.model === 'string' ? body.model : 'stub',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: toolCalls ? null : step.reply, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
            finish_reason: toolCalls ? 'tool_calls' : 'stop',
          },
        ],
        ...(usage
          ? { usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } }
          : {}),
      }),
    };
  });
}

async function startStub(route: string, script: StubScript, render: Render): Promise<LlmStub> {
  const requests: StubRequest[] = [];
  let abandoned = 0;
  const server: Server = createServer((req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) abandoned++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        /* keep {} */
      }
      const request: StubRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      requests.push(request);
      if (req.method !== 'POST' || request.path.split('?')[0] !== route) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const index = requests.filter((r) => r.path.split('?')[0] === route).length - 1;
      const step = typeof script === 'function' ? script(request, index) : script[Math.min(index, script.length - 1)];
      if (!step || 'hang' in step) return; // never answer
      if ('status' in step) {
        res
          .writeHead(step.status, { 'content-type': 'application/json' })
          .end(step.body ?? JSON.stringify({ error: { message: `stub error ${step.status}` } }));
        return;
      }
      const { contentType, payload } = render(step, body);
      setTimeout(() => res.writeHead(200, { 'content-type': contentType }).end(payload), step.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    get abandoned() {
      return abandoned;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
