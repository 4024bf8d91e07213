/**
 * GET /workspaces/{id}/recommendations: right-sizing, capacity forecasts, security and compliance
 * findings as prioritised recommendations. It analyses inline: its work runs under the analysis time
 * budget and stops when the client goes away. (Alerts are the monitor's stored state: routes/monitoring.ts.)
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RecommendationSchema, recommendationsFrom } from '../analysis/recommendations.js';
import { workspaceFindings } from '../analysis/workspace-findings.js';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import { requestSignal, underBudget } from '../http/request-signal.js';
import type { MetricsSource, WorkspaceRef } from '../metrics/metrics-source.js';
import type { AnalysisKind } from '../analysis/types.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface InsightRouteOptions {
  metrics: MetricsSource;
  now: () => number;
  /** Where the analysers run (the worker pool). */
  findings: FindingsEngine;
  /** The time budget of one request's analysis (ANALYSIS_TIMEOUT_SECONDS). */
  timeoutSeconds: number;
}

const upstreamErrors = { 502: guardedErrorResponses[400], 504: guardedErrorResponses[400] };

const workspaceInsightRoutes: FastifyPluginAsyncZod<InsightRouteOptions> = async (app, { metrics, now, findings, timeoutSeconds }) => {
  const budget = { seconds: timeoutSeconds, setting: 'ANALYSIS_TIMEOUT_SECONDS' };
  const analyse = (reply: FastifyReply, ws: WorkspaceRef, analyses: AnalysisKind[], hours: number) => {
    const signal = requestSignal(reply, timeoutSeconds * 1000);
    return underBudget(signal, budget, () =>
      workspaceFindings(metrics, ws, analyses, { hours, nowMs: now() }, { engine: findings, signal }),
    );
  };

  app.get(
    '/workspaces/:workspace_id/recommendations',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['analysis'],
        summary: 'Right-sizing, capacity, security and compliance recommendations with priority, impact, effort and savings',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: z
          .object({
            window_hours: z.coerce.number().int().min(1).max(168).default(24).describe('History to learn from (hours)'),
            category: z.enum(['performance', 'cost', 'security', 'reliability']).optional(),
          })
          .strict(),
        response: {
          200: z.object({ recommendations: z.array(RecommendationSchema), failed_queries: z.array(z.string()) }),
          ...guardedErrorResponses,
          ...upstreamErrors,
        },
      },
    },
    async (request, reply) => {
      const ws = authOf(request);
      const found = await analyse(reply, ws, ['rightsizing', 'capacity', 'compliance', 'security'], request.query.window_hours);
      const recommendations = recommendationsFrom(found.findings);
      return {
        recommendations: request.query.category ? recommendations.filter((r) => r.category === request.query.category) : recommendations,
        failed_queries: found.failedQueries,
      };
    },
  );
};

export default workspaceInsightRoutes;
