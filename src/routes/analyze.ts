/**
 * POST /workspaces/{id}/analyze runs the analysis graph for the caller's workspace and answers
 * with the result when it finishes within the wait, or 202 and a run to poll otherwise;
 * GET /workspaces/{id}/runs/{run_id} reads a run back (from its checkpoint, on any replica);
 * GET /workspaces/{id}/runs lists the workspace's runs, newest first (src/runs/run-index.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AnalysisRuns, RunView } from '../../agents/runs.js';
import { AnalysisTypeSchema, AnalysisPlanSchema, DiagnosisSchema, FindingSchema, ProposedActionSchema } from '../analysis/types.js';
import { badRequest, notFound } from '../http/http-errors.js';
import { decodeCursor, encodeCursor } from '../storage/page-cursor.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { DependencyUnavailable } from '../resilience/dependency-unavailable.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface AnalyzeRouteOptions {
  runs: AnalysisRuns;
  now: () => number;
}

const AnalyzeBodySchema = z
  .object({
    analysis_type: AnalysisTypeSchema.default('anomaly'),
    time_range_minutes: z.number().int().min(5).max(1440).default(60).describe('How far back to look (5-1440 minutes)'),
    targets: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9.-]{0,252}$/, 'must be a Kubernetes namespace name'))
      .max(20)
      .default([])
      .describe('Namespaces to focus on; empty = the whole workspace'),
  })
  .strict();

const RunSchema = z.object({
  run_id: z.string(),
  status: z
    .enum(['running', 'awaiting_approval', 'completed', 'no_data', 'failed'])
    .describe(
      '`no_data`: the run finished but the workspace had no series in the window (not scraped, a tenant label that does not match, or nothing recent): nothing was analysed, and `errors` (kind `no_data`) says why',
    ),
  status_reason: z
    .enum(['error', 'interrupted', 'timeout'])
    .nullable()
    .describe(
      'Why a failed run failed: `error` (see errors), `timeout` (it outlived ANALYSIS_TIMEOUT_SECONDS), or `interrupted`: the process running it stopped and it could not be resumed',
    ),
  workspace_id: z.string(),
  analysis_type: AnalysisTypeSchema,
  plan: AnalysisPlanSchema.nullable(),
  findings: z.array(FindingSchema),
  diagnosis: DiagnosisSchema.nullable(),
  diagnosed_by: z.enum(['llm', 'deterministic']).nullable(),
  proposed_actions: z.array(ProposedActionSchema),
  remediation_id: z
    .string()
    .nullable()
    .describe(
      'The pending remediation the proposed actions became: approve or reject it at /workspaces/{id}/remediations/{remediation_id}',
    ),
  approval: z
    .object({ decision: z.enum(['approved', 'rejected']), by: z.string(), at: z.string(), comment: z.string().optional() })
    .nullable(),
  remediation: z.object({ status: z.string(), message: z.string(), results: z.array(z.any()) }).nullable(),
  progress: z.array(z.object({ at: z.string(), node: z.string(), message: z.string() })),
  errors: z.array(z.object({ node: z.string(), message: z.string(), kind: z.string().optional() })),
});

const RunSummarySchema = z.object({
  run_id: z.string(),
  analysis_type: z.string(),
  status: RunSchema.shape.status.or(z.literal('unknown')).describe('`unknown`: recorded as started but it never checkpointed'),
  status_reason: RunSchema.shape.status_reason,
  requested_by: z.string().describe('Who started it (the monitor for its incident investigations)'),
  started_at: z.string(),
  diagnosed_by: RunSchema.shape.diagnosed_by,
  top_hypothesis: z.object({ cause: z.string(), confidence: z.number() }).nullable(),
  findings: z.number().int().describe('How many findings it made'),
  remediation_id: z.string().nullable(),
});

const analyzeRoutes: FastifyPluginAsyncZod<AnalyzeRouteOptions> = async (app, { runs, now }) => {
  app.post(
    '/workspaces/:workspace_id/analyze',
    {
      config: { auth: requireScope('aiops:analyze') },
      schema: {
        tags: ['analysis'],
        summary: 'Analyse the workspace: plan, query, score, diagnose; proposed actions wait for approval',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        body: AnalyzeBodySchema,
        response: { 200: RunSchema, 202: RunSchema, ...guardedErrorResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const body = request.body;
      const view = await runs.start(
        auth,
        {
          analysisType: body.analysis_type,
          timeRangeMinutes: body.time_range_minutes,
          targets: body.targets,
          endTime: Math.floor(now() / 1000),
        },
        { requestId: request.id },
      ); // an unavailable run store is DependencyUnavailable: 503 run_store_unavailable
      const unavailable = view.state.errors?.find((e) => e.kind === 'unavailable');
      if (unavailable && (view.state.seriesFetched ?? 0) === 0) {
        throw new DependencyUnavailable('metrics', {
          message: `the metrics source is unavailable, nothing could be analysed: ${unavailable.message}`,
          details: { run_id: view.run_id },
        });
      }
      if (view.status === 'running') reply.code(202).header('Location', `/workspaces/${auth.workspaceId}/runs/${view.run_id}`);
      return toBody(view);
    },
  );

  app.get(
    '/workspaces/:workspace_id/runs',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['analysis'],
        summary: "The workspace's analysis runs, newest first: type, status, who started it, the top hypothesis",
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: z
          .object({
            cursor: z.string().max(400).optional().describe('`next_cursor` of the previous page'),
            limit: z.coerce.number().int().min(1).max(100).default(20),
          })
          .strict(),
        response: { 200: z.object({ runs: z.array(RunSummarySchema), next_cursor: z.string().nullable() }), ...guardedErrorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const c = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      if (q.cursor !== undefined && !c) throw badRequest('cursor is not one this service issued');
      const listed = await runs.list(authOf(request), { ...(c ? { after: { atMs: c.ts, id: c.id } } : {}), limit: q.limit + 1 });
      const page = listed.slice(0, q.limit);
      const last = page.at(-1)?.entry;
      return {
        runs: page.map(({ entry, view }) => {
          const s = view?.state;
          const top = s?.diagnosis?.hypotheses[0];
          return {
            run_id: entry.runId,
            analysis_type: entry.analysisType,
            status: view?.status ?? ('unknown' as const),
            status_reason: view?.reason ?? null,
            requested_by: entry.requestedBy,
            started_at: new Date(entry.startedAtMs).toISOString(),
            diagnosed_by: s?.diagnosedBy ?? null,
            top_hypothesis: top ? { cause: top.cause, confidence: top.confidence } : null,
            findings: s?.findings?.length ?? 0,
            remediation_id: s?.remediationId ?? null,
          };
        }),
        next_cursor: listed.length > q.limit && last ? encodeCursor({ ts: last.startedAtMs, id: last.runId }) : null,
      };
    },
  );

  app.get(
    '/workspaces/:workspace_id/runs/:run_id',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['analysis'],
        summary: 'An analysis run: status, progress, findings, diagnosis, proposed actions',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema.extend({ run_id: z.uuid('run_id must be a UUID') }),
        response: { 200: RunSchema, ...guardedErrorResponses, 404: guardedErrorResponses[400] },
      },
    },
    async (request) => {
      // undefined means "no such run"; a store that cannot be read rejects (503, never a 404 for a run that exists).
      const view = await runs.get(authOf(request), request.params.run_id);
      if (!view) throw notFound(`no run ${request.params.run_id} in this workspace`);
      return toBody(view);
    },
  );
};

function toBody(view: RunView) {
  const s = view.state;
  return {
    run_id: view.run_id,
    status: view.status,
    status_reason: view.reason ?? null,
    workspace_id: s.workspaceId,
    analysis_type: s.request.analysisType,
    plan: s.plan ?? null,
    findings: s.findings ?? [],
    diagnosis: s.diagnosis ?? null,
    diagnosed_by: s.diagnosedBy ?? null,
    proposed_actions: s.proposedActions ?? [],
    remediation_id: s.remediationId ?? null,
    approval: s.approval ?? null,
    remediation: s.remediation ?? null,
    progress: s.progress ?? [],
    errors: s.errors ?? [],
  };
}

export default analyzeRoutes;
