/** list_alerts: the workspace's active Prometheus alerts (pending and firing). */
import { z } from 'zod';
import type { ToolResult } from './tool.js';
import { defineTool, failFromError, noData, ok } from './define-tool.js';

export const listAlerts = defineTool({
  name: 'list_alerts',
  description:
    'List the active alerts of the workspace (Prometheus alerting rules, pending and firing) with their labels and annotations. The embedded demo source runs no alerting rules and returns none.',
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({
    state: z.enum(['firing', 'pending', 'any']).default('any').describe('Only alerts in this state'),
  }),
  async handler(args, ctx, deps): Promise<ToolResult> {
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
});
