/**
 * `GET /workspaces/{id}/summary`: the workspace at a glance, for the console's header (and any
 * dashboard): open incidents by severity, active alerts by state, remediations awaiting approval, and
 * when the monitor last evaluated it. Everything is read from stored state; nothing is computed.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SqlMonitorStore } from '../monitoring/monitor-store.js';
import type { RemediationService } from '../remediation/service.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface WorkspaceSummaryOptions {
  store: SqlMonitorStore;
  remediations: RemediationService;
}

/** Pending approvals counted up to this many (the remediation service bounds pending ones per workspace anyway). */
const PENDING_COUNTED = 200;

const SummarySchema = z.object({
  workspace_id: z.string(),
  open_incidents: z.object({ total: z.number().int(), critical: z.number().int(), warning: z.number().int(), info: z.number().int() }),
  active_alerts: z.object({ firing: z.number().int(), pending: z.number().int() }),
  pending_approvals: z.number().int(),
  last_evaluated_at: z.string().nullable().describe('When the monitor last evaluated the workspace; null: never'),
});

const workspaceSummary: FastifyPluginAsyncZod<WorkspaceSummaryOptions> = async (app, { store, remediations }) => {
  app.get(
    '/workspaces/:workspace_id/summary',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['monitoring'],
        summary: 'The workspace at a glance: open incidents by severity, firing and pending alerts, pending approvals, last evaluation',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        response: { 200: SummarySchema, ...guardedErrorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const [summary, pending] = await Promise.all([
        store.summary(auth.workspaceId),
        remediations.list(auth, { status: 'pending_approval', limit: PENDING_COUNTED }),
      ]);
      const incidents = summary.openIncidents;
      const critical = incidents.critical ?? 0;
      const warning = incidents.warning ?? 0;
      const info = incidents.info ?? 0;
      return {
        workspace_id: auth.workspaceId,
        open_incidents: { total: critical + warning + info, critical, warning, info },
        active_alerts: { firing: summary.activeAlerts.firing ?? 0, pending: summary.activeAlerts.pending ?? 0 },
        pending_approvals: pending.length,
        last_evaluated_at: summary.lastEvaluatedAtMs === null ? null : new Date(summary.lastEvaluatedAtMs).toISOString(),
      };
    },
  );
};

export default workspaceSummary;
