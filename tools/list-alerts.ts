/**
 * list_alerts: the workspace's active alerts (pending and firing). Where the service monitors, the
 * alerts the monitor keeps (its own, Prometheus's, Alertmanager's: what the console and GET /alerts
 * show); otherwise Prometheus's active alerts.
 */
import { z } from 'zod';
import { defineTool, failFromError, noData, ok } from './define-tool.js';
import { LabelsSchema } from './output-shapes.js';

const output = z.strictObject({
  count: z.number().int(),
  alerts: z
    .array(
      z.strictObject({
        name: z.string().optional().describe('The alertname label'),
        state: z.enum(['pending', 'firing', 'inactive']),
        active_at: z.string().optional(),
        value: z.string().optional(),
        source: z.enum(['aiops', 'prometheus', 'alertmanager']).optional().describe('Who raised it (stored alerts)'),
        severity: z.string().optional(),
        summary: z.string().optional(),
        labels: LabelsSchema,
        annotations: LabelsSchema,
      }),
    )
    .describe('The first 50'),
});
export type ListAlertsOutput = z.infer<typeof output>;

export const listAlerts = defineTool({
  name: 'list_alerts',
  description:
    "List the active alerts of the workspace (pending and firing) with their labels and annotations: the monitor's own, Prometheus's alerting rules' and Alertmanager's, as the monitor keeps them.",
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({
    state: z.enum(['firing', 'pending', 'any']).default('any').describe('Only alerts in this state'),
  }),
  output,
  async handler(args, ctx, deps) {
    const states = args.state === 'any' ? (['pending', 'firing'] as const) : ([args.state] as const);
    if (deps.storedAlerts) {
      try {
        const stored = await deps.storedAlerts(ctx.auth.workspaceId, states);
        if (stored.length === 0) return noData(`no ${args.state === 'any' ? 'active' : args.state} alerts`);
        return ok({
          count: stored.length,
          alerts: stored.slice(0, 50).map((a) => ({
            name: a.name,
            state: a.state,
            active_at: new Date(a.startedAtMs).toISOString(),
            source: a.source,
            severity: a.severity,
            summary: a.summary,
            labels: a.labels,
            annotations: a.annotations,
          })),
        });
      } catch {
        // The monitor's store is down: Prometheus's own alerts still answer.
      }
    }
    try {
      const alerts = (await deps.metrics.alerts({ workspaceId: ctx.auth.workspaceId })).filter(
        (a) => args.state === 'any' || a.state === args.state,
      );
      if (alerts.length === 0) return noData(`no ${args.state === 'any' ? 'active' : args.state} alerts`);
      return ok({
        count: alerts.length,
        alerts: alerts.slice(0, 50).map((a) => ({
          name: a.labels.alertname,
          state: a.state,
          active_at: a.activeAt,
          value: a.value,
          labels: a.labels,
          annotations: a.annotations,
        })),
      });
    } catch (err) {
      return failFromError(err);
    }
  },
  summarize: (data) => `${data.count} active alert(s)`,
  evidence: (data) =>
    data.alerts.slice(0, 5).map((a) => ({
      kind: 'alert',
      ref: a.name ?? 'alert',
      description: `${a.state}: ${a.summary ?? a.annotations.summary ?? a.annotations.description ?? ''}`.slice(0, 300),
    })),
});
