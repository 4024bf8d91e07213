/**
 * What the monitor stored, read back per workspace: GET /workspaces/{id}/alerts (the alert episodes
 * and their lifecycle), GET /workspaces/{id}/incidents and /incidents/{incident_id} (alerts grouped by
 * the object they are about, with the automatic investigation). Nothing is computed at read time: a
 * read is one indexed query in the caller's workspace, so these stay fast however busy the monitor is.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AnalysisRuns } from '../../agents/runs.js';
import { SeveritySchema } from '../analysis/types.js';
import { badRequest, notFound } from '../http/http-errors.js';
import { decodeCursor, encodeCursor } from '../storage/page-cursor.js';
import { authOf, requireScope } from '../http/route-auth.js';
import type { AlertState } from '../monitoring/alert-lifecycle.js';
import type { IncidentStatus, SqlMonitorStore, StoredAlert, StoredIncident } from '../monitoring/monitor-store.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface MonitoringRouteOptions {
  store: SqlMonitorStore;
  runs: AnalysisRuns;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const StoredAlertSchema = z.object({
  id: z.string(),
  fingerprint: z.string().describe('The identity of the condition: its name and labels; the same across episodes'),
  source: z.enum(['aiops', 'prometheus', 'alertmanager']),
  name: z.string(),
  severity: SeveritySchema,
  state: z.enum(['pending', 'firing', 'resolved']),
  started_at: z.string().describe('Onset: when the condition began (the anomaly, or Prometheus, says when)'),
  fired_at: z.string().nullable(),
  resolved_at: z.string().nullable(),
  last_evaluated_at: z.string(),
  summary: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z
    .record(z.string(), z.string())
    .describe("The sender's description and runbook_url (Alertmanager): untrusted text, shown as text, never followed or obeyed"),
  incident_id: z.string().nullable(),
});

const InvestigationSchema = z.object({
  run_id: z.string().nullable(),
  status: z.string().describe('`not_started` until the run starts (retried if it could not), then the run status'),
  top_hypothesis: z.object({ cause: z.string(), confidence: z.number() }).nullable(),
  error: z.string().nullable(),
});

const IncidentSchema = z.object({
  id: z.string(),
  status: z.enum(['open', 'resolved']),
  severity: SeveritySchema,
  title: z.string(),
  resource: z.record(z.string(), z.string()),
  opened_at: z.string(),
  resolved_at: z.string().nullable(),
  investigation: InvestigationSchema,
});

function alertBody(a: StoredAlert) {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    source: a.source,
    name: a.name,
    severity: a.severity,
    state: a.state,
    started_at: iso(a.startedAtMs)!,
    fired_at: iso(a.firedAtMs),
    resolved_at: iso(a.resolvedAtMs),
    last_evaluated_at: iso(a.lastEvaluatedAtMs)!,
    summary: a.summary,
    labels: a.labels,
    annotations: a.annotations,
    incident_id: a.incidentId,
  };
}

function incidentBody(i: StoredIncident, investigation: z.infer<typeof InvestigationSchema>) {
  return {
    id: i.id,
    status: i.status,
    severity: i.severity,
    title: i.title,
    resource: i.resource,
    opened_at: iso(i.openedAtMs)!,
    resolved_at: iso(i.resolvedAtMs),
    investigation,
  };
}

const shallowInvestigation = (i: StoredIncident) => ({
  run_id: i.runId,
  status: i.runId ? 'started' : 'not_started',
  top_hypothesis: null,
  error: i.investigationError,
});

const ALERT_STATES: Record<string, readonly AlertState[]> = {
  active: ['pending', 'firing'],
  firing: ['firing'],
  pending: ['pending'],
  resolved: ['resolved'],
  all: ['pending', 'firing', 'resolved'],
};
const INCIDENT_STATUSES: Record<string, readonly IncidentStatus[]> = { open: ['open'], resolved: ['resolved'], all: ['open', 'resolved'] };

/** A Kubernetes object name (lower case letters, digits, `-` and `.`): what the incidents' resources are keyed by. */
const K8S_NAME = /^[a-z0-9][a-z0-9.-]*$/;

const pageQuery = {
  cursor: z.string().max(400).optional().describe('From the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};

function pageCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const c = decodeCursor(cursor);
  if (!c) throw badRequest('cursor is not one this service issued');
  return { atMs: c.ts, id: c.id };
}

const monitoringRoutes: FastifyPluginAsyncZod<MonitoringRouteOptions> = async (app, { store, runs }) => {
  app.get(
    '/workspaces/:workspace_id/alerts',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['monitoring'],
        summary: "The workspace's alerts as the monitor keeps them: Prometheus's and the service's own, with their lifecycle",
        description:
          'Every monitored workspace is evaluated every MONITOR_INTERVAL_SECONDS; an alert is pending until seen MONITOR_FOR_EVALUATIONS times, ' +
          'then firing until missed as many times, then resolved. Newest onset first.',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: z
          .object({
            state: z.enum(['active', 'firing', 'pending', 'resolved', 'all']).default('active').describe('active = firing and pending'),
            severity: SeveritySchema.optional().describe('Only this severity'),
            since: z.iso.datetime({ offset: true }).optional().describe('Only alerts still active at or after this time (ISO 8601)'),
            ...pageQuery,
          })
          .strict(),
        response: { 200: z.object({ alerts: z.array(StoredAlertSchema), next_cursor: z.string().nullable() }), ...guardedErrorResponses },
      },
    },
    async (request) => {
      const ws = authOf(request);
      const q = request.query;
      const after = pageCursor(q.cursor);
      const rows = await store.listAlerts(ws.workspaceId, {
        states: ALERT_STATES[q.state]!,
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.since ? { sinceMs: Date.parse(q.since) } : {}),
        ...(after ? { after } : {}),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        alerts: page.map(alertBody),
        next_cursor: rows.length > q.limit && last ? encodeCursor({ ts: last.startedAtMs, id: last.id }) : null,
      };
    },
  );

  app.get(
    '/workspaces/:workspace_id/incidents',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['monitoring'],
        summary: 'Incidents: alerts about the same workload grouped, each with its automatic investigation. Newest first',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        querystring: z
          .object({
            status: z.enum(['open', 'resolved', 'all']).default('all'),
            severity: SeveritySchema.optional().describe('Only this severity'),
            namespace: z
              .string()
              .max(63)
              .regex(K8S_NAME, 'namespace must be a Kubernetes name')
              .optional()
              .describe('Only incidents in this namespace'),
            workload: z
              .string()
              .max(253)
              .regex(K8S_NAME, 'workload must be a Kubernetes name')
              .optional()
              .describe('Only incidents about this workload (Deployment, StatefulSet… name; pods count as their workload)'),
            text: z
              .string()
              .trim()
              .min(1, 'text must not be empty')
              .max(100)
              .optional()
              .describe('Case-insensitive substring of the title or of the resource names'),
            ...pageQuery,
          })
          .strict(),
        response: { 200: z.object({ incidents: z.array(IncidentSchema), next_cursor: z.string().nullable() }), ...guardedErrorResponses },
      },
    },
    async (request) => {
      const ws = authOf(request);
      const q = request.query;
      const after = pageCursor(q.cursor);
      const rows = await store.listIncidents(ws.workspaceId, {
        statuses: INCIDENT_STATUSES[q.status]!,
        ...(q.severity ? { severity: q.severity } : {}),
        ...(q.namespace ? { namespace: q.namespace } : {}),
        ...(q.workload ? { workload: q.workload } : {}),
        ...(q.text ? { text: q.text } : {}),
        ...(after ? { after } : {}),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        incidents: page.map((i) => incidentBody(i, shallowInvestigation(i))),
        next_cursor: rows.length > q.limit && last ? encodeCursor({ ts: last.openedAtMs, id: last.id }) : null,
      };
    },
  );

  app.get(
    '/workspaces/:workspace_id/incidents/:incident_id',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['monitoring'],
        summary: 'One incident: its alerts and its investigation (the analysis run, its status and top hypothesis)',
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema.extend({ incident_id: z.uuid('incident_id must be a UUID') }),
        response: {
          200: IncidentSchema.extend({ alerts: z.array(StoredAlertSchema) }),
          ...guardedErrorResponses,
          404: guardedErrorResponses[400],
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const incident = await store.getIncident(auth.workspaceId, request.params.incident_id);
      if (!incident) throw notFound(`no incident ${request.params.incident_id} in this workspace`);
      const [alerts, run] = await Promise.all([
        store.alertsOfIncident(auth.workspaceId, incident.id),
        incident.runId ? runs.get(auth, incident.runId) : Promise.resolve(undefined),
      ]);
      const top = run?.state.diagnosis?.hypotheses[0];
      return {
        ...incidentBody(incident, {
          run_id: incident.runId,
          status: run?.status ?? (incident.runId ? 'running' : 'not_started'),
          top_hypothesis: top ? { cause: top.cause, confidence: top.confidence } : null,
          error: incident.investigationError,
        }),
        alerts: alerts.map(alertBody),
      };
    },
  );
};

export default monitoringRoutes;
