/**
 * `POST /v1/chat`: the contract of the Hexabase control plane's AI chat proxy
 * (`ANY /api/v1/ai/chat?workspace_id=…` forwards here with its 10 s `internal-aiops-v1` token):
 * `{message}` → `{reply, user_id, workspace_id}`, plus the thread id so a client may continue the
 * conversation. The workspace is the query's `workspace_id`, which must be the token's (403
 * otherwise: the proxy does not check membership, so the token's `active_workspace_id` decides);
 * the guard confines it exactly like a path parameter. It runs the same chat graph, tools, scopes and
 * audit as `POST /workspaces/{id}/chat` in JSON mode.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ChatService } from '../../agents/chat/service.js';
import type { ChatEvent } from '../chat/events.js';
import { forbidden, HttpError } from '../http/http-errors.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { auditRequestContext } from '../plugins/audit.js';
import { WorkspaceIdSchema } from '../auth/token-claims.js';
import { guardedErrorResponses } from '../schemas/common.js';

export interface ControlPlaneChatOptions {
  chat: ChatService;
}

const BodySchema = z.object({
  message: z.string().trim().min(1, 'message must not be empty').max(4000, 'message must be at most 4000 characters'),
  thread_id: z.uuid('thread_id must be a UUID').optional().describe('Continue this thread (yours, in this workspace)'),
});
// Not strict: the proxy forwards the user's body as it is, and fields it may add later are not ours to refuse.

const ReplySchema = z.object({
  reply: z.string(),
  user_id: z.string(),
  workspace_id: z.string(),
  thread_id: z.string(),
});

const controlPlaneChat: FastifyPluginAsyncZod<ControlPlaneChatOptions> = async (app, { chat }) => {
  app.post(
    '/v1/chat',
    {
      config: { auth: requireScope('aiops:read', 'chat', 'query') },
      schema: {
        tags: ['chat'],
        summary: "The control plane's chat contract: {message} → {reply, user_id, workspace_id, thread_id}",
        description:
          'For the Hexabase control plane proxy (internal-aiops-v1 token) and contract tokens alike. `workspace_id` must be the ' +
          "token's workspace. One turn of the same conversation graph as POST /workspaces/{id}/chat, answered as JSON.",
        security: [{ bearerAuth: [] }],
        querystring: z.object({ workspace_id: WorkspaceIdSchema.describe("The workspace; must be the token's") }),
        body: BodySchema,
        response: { 200: ReplySchema, ...guardedErrorResponses, 404: guardedErrorResponses[400], 409: guardedErrorResponses[400] },
      },
    },
    async (request) => {
      const auth = authOf(request);
      // The guard compared the query's workspace already; this is the second check the architecture asks for.
      if (request.query.workspace_id !== auth.workspaceId || auth.crossWorkspaceFrom)
        throw forbidden(`this token is for workspace "${auth.crossWorkspaceFrom ?? auth.workspaceId}" and cannot chat in another`, {
          reason: 'workspace_mismatch',
        });
      const controller = new AbortController();
      request.raw.on('close', () => {
        if (request.raw.destroyed) controller.abort();
      });
      const traceId = auditRequestContext(request).trace_id;
      const turn = await chat.startTurn(
        auth,
        { message: request.body.message, ...(request.body.thread_id ? { threadId: request.body.thread_id } : {}) },
        { requestId: request.id, ...(traceId ? { traceId } : {}), signal: controller.signal },
      );
      const events: ChatEvent[] = [];
      for await (const e of turn.events) events.push(e);
      const answer = events.find((e): e is Extract<ChatEvent, { event: 'answer' }> => e.event === 'answer');
      if (!answer) {
        const failure = events.find((e): e is Extract<ChatEvent, { event: 'error' }> => e.event === 'error');
        throw new HttpError(503, failure?.data.message ?? 'the chat turn ended without an answer', {
          reason: failure?.data.reason ?? 'no_answer',
          thread_id: turn.threadId,
        });
      }
      return { reply: answer.data.text, user_id: auth.sub, workspace_id: auth.workspaceId, thread_id: turn.threadId };
    },
  );
};

export default controlPlaneChat;
