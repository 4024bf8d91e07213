/**
 * GET /workspaces/{id}/insights: the diagnosis hypotheses of past analysis runs, newest first,
 * read back from ClickHouse (recorded through the audit pipeline, so they survive any replica and
 * are never lost), confined to the token's workspace, cursor-paginated.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditPipeline } from '../audit/pipeline.js';
import { EvidenceSchema } from '../analysis/types.js';
import { requireScope } from '../http/route-auth.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';
import { readAuditPage, requestedRange } from './audit-page.js';

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
  app.get(
    '/workspaces/:workspace_id/insights',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['analysis'],
        summary: 'Insights from past analyses (diagnosis hypotheses with evidence), newest first',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: z
          .object({
            from: z.string().max(64).optional().describe('RFC 3339 or Unix seconds; default 24 h before `to`'),
            to: z.string().max(64).optional().describe('RFC 3339 or Unix seconds; default now'),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.string().max(512).optional(),
          })
          .strict(),
        response: { 200: z.object({ insights: z.array(InsightSchema), next_cursor: z.string().nullable() }), ...guardedErrorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const range = requestedRange(q);
      const { rows, nextCursor } = await readAuditPage(request, audit.reader, range, q, { types: ['insight'], ownTypes: [] });
      return {
        insights: rows.map((r) => {
          const d = JSON.parse(r.details) as Record<string, unknown>;
          return {
            id: r.event_id,
            created_at: new Date(r.timestamp_ms).toISOString(),
            run_id: String(d.run_id ?? ''),
            analysis_type: String(d.analysis_type ?? ''),
            title: String(d.cause ?? ''),
            confidence: Number(d.confidence ?? 0),
            severity: (['info', 'warning', 'critical'].includes(String(d.severity)) ? d.severity : 'info') as
              'info' | 'warning' | 'critical',
            summary: String(d.summary ?? ''),
            diagnosed_by: String(d.diagnosed_by ?? ''),
            requested_by: r.user_id,
            evidence: z.array(EvidenceSchema).catch([]).parse(d.evidence),
            recommendations: z.array(z.string()).catch([]).parse(d.recommended_actions),
          };
        }),
        next_cursor: nextCursor,
      };
    },
  );
};

export default insightRoutes;
