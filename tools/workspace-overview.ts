/**
 * workspace_overview: namespaces, pods and containers of the workspace and its top resource users,
 * from instant catalog queries, plus the control plane's own overview (workspace, projects, nodes,
 * plan) when HEXABASE_API_URL is configured. A control-plane failure degrades to metrics only.
 */
import { z } from 'zod';
import { seriesFromMatrix } from '../src/analysis/series-from-results.js';
import type { SeriesData } from '../src/analysis/types.js';
import { K8S_NAME } from '../src/metrics/catalog/catalog.js';
import { defineTool, failFromError, noData, ok } from './define-tool.js';

const QUERIES = ['cpu_usage', 'memory_working_set', 'pods_not_ready', 'restarts'] as const;

const TopUserSchema = z.strictObject({
  namespace: z.string().optional(),
  pod: z.string().optional(),
  container: z.string().optional(),
  value: z.number().optional(),
  unit: z.string(),
});
const output = z.strictObject({
  time: z.string(),
  source: z.literal('metrics'),
  counts: z.strictObject({
    namespaces: z.number().int(),
    pods: z.number().int(),
    containers: z.number().int(),
    pods_not_ready: z.number().int(),
    containers_restarted_last_hour: z.number().int(),
  }),
  namespaces: z.array(z.string().optional()),
  top_cpu: z.array(TopUserSchema),
  top_memory: z.array(TopUserSchema),
  control_plane: z.discriminatedUnion('status', [
    z.strictObject({ status: z.literal('ok'), overview: z.record(z.string(), z.unknown()) }),
    z.strictObject({ status: z.literal('unavailable'), message: z.string() }),
    z.strictObject({ status: z.literal('not_configured') }),
  ]),
});

function top(series: SeriesData[], n: number, unit: string) {
  return [...series]
    .filter((s) => Number.isFinite(s.values[0]))
    .sort((a, b) => b.values[0]! - a.values[0]!)
    .slice(0, n)
    .map((s) => ({ namespace: s.labels.namespace, pod: s.labels.pod, container: s.labels.container, value: s.values[0], unit }));
}

export const workspaceOverview = defineTool({
  name: 'workspace_overview',
  description:
    "Overview of the workspace now: counts of namespaces, pods and containers, pods not ready, restarts in the last hour, the top CPU and memory users (from metrics: only running, observed containers), and the control plane's overview of the workspace (projects, nodes, plan) when it is configured.",
  scope: 'aiops:read',
  mutates: false,
  input: z.strictObject({
    namespace: z.string().regex(K8S_NAME).optional().describe('Only this namespace'),
    top: z.number().int().min(1).max(20).default(5).describe('How many top resource users to list'),
  }),
  output,
  async handler(args, ctx, deps) {
    const ws = { workspaceId: ctx.auth.workspaceId };
    const at = Math.floor(deps.now() / 1000);
    const filters = args.namespace ? { namespace: args.namespace } : {};
    try {
      const [cpu, memory, notReady, restarts] = await Promise.all(
        QUERIES.map(async (name) =>
          seriesFromMatrix(name, (await deps.metrics.instant(ws, { kind: 'catalog', name, args: filters }, at)).data),
        ),
      );
      const controlPlane = deps.controlPlane
        ? await deps.controlPlane.workspaceOverview(ctx.auth.workspaceId).then(
            (overview) => ({ status: 'ok' as const, overview }),
            (err: unknown) => ({ status: 'unavailable' as const, message: (err as Error).message }),
          )
        : { status: 'not_configured' as const };
      const containers = [...cpu!, ...memory!];
      if (containers.length === 0) return noData('no running containers observed in the workspace');
      const namespaces = new Set(containers.map((s) => s.labels.namespace));
      const pods = new Set(containers.map((s) => `${s.labels.namespace}/${s.labels.pod}`));
      const ctrs = new Set(containers.map((s) => `${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`));
      return ok({
        time: new Date(at * 1000).toISOString(),
        source: 'metrics' as const,
        counts: {
          namespaces: namespaces.size,
          pods: pods.size,
          containers: ctrs.size,
          pods_not_ready: notReady!.filter((s) => s.values[0]! >= 1).length,
          containers_restarted_last_hour: restarts!.filter((s) => s.values[0]! >= 1).length,
        },
        namespaces: [...namespaces].sort(),
        top_cpu: top(cpu!, args.top, 'cores'),
        top_memory: top(memory!, args.top, 'bytes'),
        control_plane: controlPlane,
      });
    } catch (err) {
      return failFromError(err);
    }
  },
  summarize: ({ counts }) =>
    `${counts.pods} pods in ${counts.namespaces} namespaces, ${counts.pods_not_ready} not ready, ${counts.containers_restarted_last_hour} containers restarted in the last hour`,
});
