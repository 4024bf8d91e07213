/**
 * Diagnostic conversations. POST /workspaces/{id}/chat runs one turn and streams its events as
 * Server-Sent Events (the default), or answers them as one JSON document when the client asks for
 * application/json; GET …/chat/threads and …/chat/threads/{thread_id} give the caller's history.
 * The route needs aiops:read; each tool inside a turn still checks its own scope. A thread belongs to
 * its workspace and user: for anyone else it answers 404. Bad input, an unknown thread, a busy
 * thread or an unavailable store are HTTP errors before the stream starts; once it has started,
 * failures are `error` events followed by `done`. A client that disconnects stops the turn.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatService, ChatTurn } from '../../agents/chat/service.js';
import { AnswerSchema, type ChatEvent, type ChatEventName } from '../chat/events.js';
import { negotiateChatFormat, SSE_HEADERS, sseStream } from '../chat/sse.js';
import { ThreadNotFound } from '../chat/thread-errors.js';
import { forbidden, HttpError } from '../http/http-errors.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { auditRequestContext } from '../plugins/audit.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface ChatRouteOptions {
  chat: ChatService;
  /** Idle time after which an SSE comment line keeps the stream open through proxies (default 15 s). */
  keepAliveMs?: number;
}

const EVENT_NAMES = [
  'thread',
  'token',
  'tool_call',
  'tool_result',
  'approval_request',
  'answer',
  'error',
  'done',
] as const satisfies readonly ChatEventName[];

const ChatBodySchema = z
  .object({
    message: z
      .string()
      .trim()
      .min(1, 'message must not be empty')
      .max(4000, 'message must be at most 4000 characters')
      .describe("The user's message (untrusted: fenced as data in any prompt)"),
    thread_id: z
      .uuid('thread_id must be a UUID')
      .optional()
      .describe('Continue this thread (yours, in this workspace); omitted: a new thread'),
  })
  .strict();

const ChatJsonSchema = z.object({
  thread_id: z.string(),
  answer: AnswerSchema.nullable().describe("The answer event's payload; null when the turn failed (see the error event)"),
  events: z
    .array(z.object({ event: z.enum(EVENT_NAMES), data: z.unknown() }))
    .describe('Every event of the turn, in the order the stream sends them'),
});

const ThreadSummarySchema = z.object({
  thread_id: z.string(),
  title: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  turns: z.number().int(),
});

const ThreadSchema = z.object({
  thread_id: z.string(),
  title: z.string(),
  messages: z.array(
    z.object({
      role: z.enum(['user', 'assistant']),
      content: z.string(),
      at: z.string(),
      tool_calls: z
        .array(z.object({ id: z.string(), name: z.string(), args: z.unknown(), status: z.string(), summary: z.string() }))
        .optional(),
    }),
  ),
  created_at: z.string(),
  updated_at: z.string(),
});

const iso = (ms: number) => new Date(ms).toISOString();

async function collect(turn: ChatTurn): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const e of turn.events) events.push(e);
  return events;
}

const chatRoutes: FastifyPluginAsyncZod<ChatRouteOptions> = async (app, { chat, keepAliveMs = 15_000 }) => {
  app.post(
    '/workspaces/:workspace_id/chat',
    {
      config: { auth: requireScope('aiops:read', 'chat') },
      schema: {
        tags: ['chat'],
        summary: 'One turn of a diagnostic conversation: Server-Sent Events (default) or JSON with Accept: application/json',
        description:
          'SSE events, each `event: <name>\\ndata: <json>\\n\\n`: thread {thread_id} first; token {text}, tool_call {id,name,args}, ' +
          'tool_result {id,name,status,summary}, approval_request {remediation} as they happen; answer {text,evidence,partial,mode}; ' +
          'error {message,reason} when the turn failed; done {} last. The JSON answer lists the same events in the same order.',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        body: ChatBodySchema,
        response: {
          200: ChatJsonSchema,
          ...guardedErrorResponses,
          404: guardedErrorResponses[400],
          406: guardedErrorResponses[400],
          409: guardedErrorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const format = negotiateChatFormat(request.headers.accept);
      if (!format) throw new HttpError(406, 'this endpoint answers text/event-stream or application/json', { reason: 'not_acceptable' });
      const auth = authOf(request);
      if (auth.crossWorkspaceFrom)
        throw forbidden("conversations belong to the workspace's own users: a cross-workspace reader cannot chat in another workspace", {
          reason: 'cross_workspace_chat',
        });
      // The client going away (before or during the turn) aborts the turn's work.
      const controller = new AbortController();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      const traceId = auditRequestContext(request).trace_id;
      const turn = await chat.startTurn(
        auth,
        { message: request.body.message, ...(request.body.thread_id ? { threadId: request.body.thread_id } : {}) },
        {
          requestId: request.id,
          ...(traceId ? { traceId } : {}),
          signal: controller.signal,
        },
      ); // ThreadNotFound, ThreadBusy, an unavailable store: answered by the one error table (src/http/error-table.ts)

      if (format === 'json') {
        const events = await collect(turn);
        const answer = events.find((e): e is Extract<ChatEvent, { event: 'answer' }> => e.event === 'answer')?.data ?? null;
        return { thread_id: turn.threadId, answer, events: events.map((e) => ({ event: e.event, data: e.data })) };
      }
      reply.headers(SSE_HEADERS);
      // A stream bypasses the response serializer (the JSON schema above describes the JSON mode only).
      return reply.send(sseStream(turn.events, keepAliveMs, controller.signal) as never);
    },
  );

  app.get(
    '/workspaces/:workspace_id/chat/threads',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['chat'],
        summary: 'Your conversations in this workspace, most recently active first',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: z
          .object({ limit: z.coerce.number().int().min(1).max(200).default(50).describe('At most this many threads') })
          .strict(),
        response: { 200: z.object({ threads: z.array(ThreadSummarySchema) }), ...guardedErrorResponses },
      },
    },
    async (request) => {
      const threads = await chat.listThreads(authOf(request), request.query.limit);
      return {
        threads: threads.map((t) => ({
          thread_id: t.thread_id,
          title: t.title,
          created_at: iso(t.created_at),
          updated_at: iso(t.updated_at),
          turns: t.turns,
        })),
      };
    },
  );

  app.get(
    '/workspaces/:workspace_id/chat/threads/:thread_id',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['chat'],
        summary: "One of your conversations with its messages (404 for anyone else's)",
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema.extend({ thread_id: z.uuid('thread_id must be a UUID') }),
        response: { 200: ThreadSchema, ...guardedErrorResponses, 404: guardedErrorResponses[400] },
      },
    },
    async (request) => {
      const view = await chat.getThread(authOf(request), request.params.thread_id);
      if (!view) throw new ThreadNotFound(request.params.thread_id);
      const r = view.record;
      return {
        thread_id: r.thread_id,
        title: r.title,
        messages: view.messages,
        created_at: iso(r.created_at),
        updated_at: iso(r.updated_at),
      };
    },
  );
};

export default chatRoutes;
