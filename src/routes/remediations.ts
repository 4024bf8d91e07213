/**
 * Approval-gated remediation: propose (POST /remediate), decide (approve / reject / cancel), read
 * (list, one). Proposing, approving and rejecting need aiops:remediate; reading needs aiops:read.
 * The service checks the scopes again, and every lookup is confined to the token's workspace: a
 * remediation of another workspace is indistinguishable from one that does not exist.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authOf, requireScope } from '../http/route-auth.js';
import { notFound } from '../http/http-errors.js';
import type { RemediationService } from '../remediation/service.js';
import { RemediationRequestSchema, RemediationSchema, RemediationStatusSchema } from '../remediation/types.js';
import { ErrorBodySchema, guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface RemediationRouteOptions {
  remediations: RemediationService;
}

const RemediationParams = WorkspaceParamsSchema.extend({ remediation_id: z.uuid('remediation_id must be a UUID') });
const DecisionBody = z.strictObject({ comment: z.string().max(2000).optional() }).default({});
/** A 429 names the limit it hit (`execution_rate_limited`, or `limit_exceeded` with `limit: pending_remediations` and its `max`). */
const TooManySchema = ErrorBodySchema.extend({
  limit: z.string().optional().describe('Which limit: pending_remediations, proposals_per_remediation'),
  max: z.number().int().optional().describe('The value of that limit'),
});
const errors = { ...guardedErrorResponses, 404: ErrorBodySchema, 409: ErrorBodySchema, 429: TooManySchema };
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'Idempotency-Key must be 1-128 characters of letters, digits, . _ : -')
    .optional(),
});

const remediationRoutes: FastifyPluginAsyncZod<RemediationRouteOptions> = async (app, { remediations }) => {
  app.post(
    '/workspaces/:workspace_id/remediate',
    {
      config: { auth: requireScope('aiops:remediate') },
      schema: {
        tags: ['remediation'],
        summary: 'Propose remediation actions; they wait for approval (dry runs and allow-listed admin actions may waive it)',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        headers: IdempotencyHeaders,
        body: RemediationRequestSchema,
        response: { 200: RemediationSchema, 201: RemediationSchema, ...errors },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      // 201: a new pending remediation; 200: an existing one (the same request again, or a pending one for the same target, now joined).
      const { created, remediation } = await remediations.propose(authOf(request), request.body, {
        source: { kind: 'api' },
        requestId: request.id,
        ...(key ? { idempotencyKey: key } : {}),
      });
      reply.code(created ? 201 : 200).header('Location', `/workspaces/${remediation.workspace_id}/remediations/${remediation.id}`);
      return remediation;
    },
  );

  for (const verb of ['approve', 'reject', 'cancel'] as const) {
    app.post(
      `/workspaces/:workspace_id/remediations/:remediation_id/${verb}`,
      {
        config: { auth: requireScope('aiops:remediate') },
        schema: {
          tags: ['remediation'],
          summary: {
            approve: 'Approve a pending remediation: it executes through the control plane as you, and the answer is the outcome',
            reject: 'Reject a pending remediation: nothing is executed',
            cancel: 'Withdraw your own pending remediation (or any, as an admin)',
          }[verb],
          security: [{ bearerAuth: [] }],
          params: RemediationParams,
          body: DecisionBody,
          response: { 200: RemediationSchema, ...errors },
        },
      },
      async (request) => {
        const auth = authOf(request);
        const options = { requestId: request.id, ...(request.body?.comment ? { comment: request.body.comment } : {}) };
        return remediations[verb](auth, request.params.remediation_id, options);
      },
    );
  }

  app.get(
    '/workspaces/:workspace_id/remediations',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['remediation'],
        summary: 'Remediations of the workspace, newest first',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: z.strictObject({
          status: RemediationStatusSchema.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ remediations: z.array(RemediationSchema) }), ...errors },
      },
    },
    async (request) => ({
      remediations: await remediations.list(authOf(request), {
        limit: request.query.limit,
        ...(request.query.status ? { status: request.query.status } : {}),
      }),
    }),
  );

  app.get(
    '/workspaces/:workspace_id/remediations/:remediation_id',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['remediation'],
        summary: 'One remediation: plan, dry-run result, decision, results',
        security: [{ bearerAuth: [] }],
        params: RemediationParams,
        response: { 200: RemediationSchema, ...errors },
      },
    },
    async (request) => {
      const found = await remediations.get(authOf(request), request.params.remediation_id);
      if (!found) throw notFound(`no remediation ${request.params.remediation_id} in this workspace`);
      return found;
    },
  );
};

export default remediationRoutes;
