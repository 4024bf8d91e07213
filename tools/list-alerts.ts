/** list_alerts: the workspace's active Prometheus alerts (pending and firing). */
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
    'List the active alerts of the workspace (Prometheus alerting rules, pending and firing) with their labels and annotations. The embedded demo source runs no alerting rules and returns none.',
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({
    state: z.enum(['firing', 'pending', 'any']).default('any').describe('Only alerts in this state'),
  }),
  output,
  async handler(args, ctx, deps) {
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
      description: `${a.state}: ${a.annotations.summary ?? a.annotations.description ?? ''}`.slice(0, 300),
    })),
});
