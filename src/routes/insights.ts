/**
 * GET /workspaces/{id}/insights: the diagnosis hypotheses of past analysis runs, newest first,
 * read back from ClickHouse (recorded through the audit pipeline, so they survive any replica and
 * are never lost), confined to the token's workspace, cursor-paginated.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditPipeline } from '../audit/pipeline.js';
import { decodeCursor, encodeCursor, resolveRange } from '../audit/query-input.js';
import { EvidenceSchema } from '../analysis/types.js';
import { badRequest, serviceUnavailable } from '../http/http-errors.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

const InsightSchema = z.object({
  id: z.string(),
  created_at: z.string(),
  run_id: z.string(),
  analysis_type: z.string(),
  title: z.string().describe('The cause'),
  confidence: z.number(),
  severity: z.enum(['info', 'warning', 'critical']),
  summary: z.string(),
  diagnosed_by: z.string(),
  requested_by: z.string(),
  evidence: z.array(EvidenceSchema),
  recommendations: z.array(z.string()),
});

const insightRoutes: FastifyPluginAsyncZod<{ audit: AuditPipeline }> = async (app, { audit }) => {
  app.get('/workspaces/:workspace_id/insights', {
    config: { auth: requireScope('aiops:read') },
    schema: {
      tags: ['analysis'],
      summary: 'Insights from past analyses (diagnosis hypotheses with evidence), newest first',
      security: [{ bearerAuth: [] }],
      params: WorkspaceParamsSchema,
      querystring: z.object({
        from: z.string().max(64).optional().describe('RFC 3339 or Unix seconds; default 24 h before `to`'),
        to: z.string().max(64).optional().describe('RFC 3339 or Unix seconds; default now'),
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(512).optional(),
      }).strict(),
      response: { 200: z.object({ insights: z.array(InsightSchema), next_cursor: z.string().nullable() }), ...guardedErrorResponses },
    },
  }, async (request) => {
    const auth = authOf(request);
    const q = request.query;
    const range = resolveRange(q.from, q.to);
    if (typeof range === 'string') throw badRequest(range);
    const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (q.cursor !== undefined && !cursor) throw badRequest('cursor is not one this service issued');
    let rows;
    try {
      rows = await audit.reader.query({
        workspaceId: auth.workspaceId, fromMs: range.fromMs, toMs: range.toMs, types: ['insight'], ownTypes: [], userId: auth.sub, limit: q.limit + 1,
        ...(cursor ? { before: cursor } : {}),
      });
    } catch (err) {
      request.log.warn({ err: (err as Error).message }, 'insights query failed');
      throw serviceUnavailable('the insight store is unavailable; retry later', { reason: 'audit_store_unavailable' });
    }
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      insights: page.map((r) => {
        const d = JSON.parse(r.details) as Record<string, unknown>;
        return {
          id: r.event_id,
          created_at: new Date(r.timestamp_ms).toISOString(),
          run_id: String(d.run_id ?? ''),
          analysis_type: String(d.analysis_type ?? ''),
          title: String(d.cause ?? ''),
          confidence: Number(d.confidence ?? 0),
          severity: (['info', 'warning', 'critical'].includes(String(d.severity)) ? d.severity : 'info') as 'info' | 'warning' | 'critical',
          summary: String(d.summary ?? ''),
          diagnosed_by: String(d.diagnosed_by ?? ''),
          requested_by: r.user_id,
          evidence: z.array(EvidenceSchema).catch([]).parse(d.evidence),
          recommendations: z.array(z.string()).catch([]).parse(d.recommended_actions),
        };
      }),
      next_cursor: rows.length > q.limit && last ? encodeCursor({ ts: last.timestamp_ms, id: last.event_id }) : null,
    };
  });
};

export default insightRoutes;
