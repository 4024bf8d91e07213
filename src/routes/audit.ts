/**
 * GET /workspaces/{workspace_id}/audit: the workspace's audit trail, newest first, cursor-paginated.
 * The workspace always comes from the verified token (`authOf(request).workspaceId`), never from
 * the query; event types are filtered by what the caller may see (see `visibleTypes`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../audit/event.js';
import type { AuditPipeline } from '../audit/pipeline.js';
import { MAX_RANGE_MS, visibleTypes } from '../audit/query-input.js';
import { badRequest } from '../http/http-errors.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';
import { readAuditPage, requestedRange } from './audit-page.js';

export const MAX_LIMIT = 1000;

const QuerySchema = z.object({
  from: z.string().max(64).optional().describe('RFC 3339 time with zone, or Unix seconds; default: 24 h before `to`'),
  to: z.string().max(64).optional().describe('RFC 3339 time with zone, or Unix seconds; default: now'),
  event_type: z
    .string()
    .max(200)
    .optional()
    .describe(`Comma list of ${AUDIT_EVENT_TYPES.join(', ')}`),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
  cursor: z.string().max(512).optional().describe('`next_cursor` of the previous page'),
});

const EventSchema = z.object({
  event_id: z.string(),
  timestamp: z.string().describe('RFC 3339, millisecond precision, UTC'),
  user_id: z.string(),
  organization_id: z.string(),
  workspace_id: z.string(),
  source_ip: z.string(),
  event_type: z.string(),
  outcome: z.string(),
  resource_id: z.string(),
  details: z.record(z.string(), z.unknown()),
  initiated_by: z.string(),
  request_id: z.string(),
  trace_id: z.string(),
});

const PageSchema = z.object({
  workspace_id: z.string(),
  from: z.string(),
  to: z.string(),
  events: z.array(EventSchema),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page'),
});

export interface AuditRouteOptions {
  audit: Pick<AuditPipeline, 'reader'>;
}

const auditRoute: FastifyPluginAsyncZod<AuditRouteOptions> = async (app, { audit }) => {
  app.get(
    '/workspaces/:workspace_id/audit',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['audit'],
        summary: 'The audit trail of this workspace (authorization decisions, tool and LLM calls, remediation)',
        description:
          `Newest first. Ranges wider than ${MAX_RANGE_MS / 86_400_000} days are refused. Admins see every event type; ` +
          'other callers see tool calls, LLM calls and remediation changes, and only their own authorization decisions.',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: QuerySchema,
        response: { 200: PageSchema, ...guardedErrorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const q = request.query;
      const range = requestedRange(q);
      let requested: AuditEventType[] = [...AUDIT_EVENT_TYPES];
      if (q.event_type !== undefined) {
        const names = q.event_type
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = names.filter((n) => !(AUDIT_EVENT_TYPES as readonly string[]).includes(n));
        if (names.length === 0 || unknown.length > 0)
          throw badRequest(`event_type must be a comma list of ${AUDIT_EVENT_TYPES.join(', ')}`);
        requested = names as AuditEventType[];
      }
      const visible = visibleTypes(auth.permissions);
      const { rows, nextCursor } = await readAuditPage(request, audit.reader, range, q, {
        types: visible.all.filter((t) => requested.includes(t)),
        ownTypes: visible.own.filter((t) => requested.includes(t)),
      });
      return {
        workspace_id: auth.workspaceId,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        events: rows.map((r) => ({
          event_id: r.event_id,
          timestamp: new Date(r.timestamp_ms).toISOString(),
          user_id: r.user_id,
          organization_id: r.organization_id,
          workspace_id: r.workspace_id,
          source_ip: r.source_ip,
          event_type: r.event_type,
          outcome: r.outcome,
          resource_id: r.resource_id,
          details: parseDetails(r.details),
          initiated_by: r.initiated_by,
          request_id: r.request_id,
          trace_id: r.trace_id,
        })),
        next_cursor: nextCursor,
      };
    },
  );
};

function parseDetails(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw: text };
  }
}

export default auditRoute;
