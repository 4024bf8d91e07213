/**
 * list_events: the workspace's Kubernetes events (the platform's `k8s_events` table), identical
 * ones folded together with their count and first/last time, newest first. Confined to the
 * caller's workspace by the logs query builder; a missing table or an unreachable store is a
 * stated gap.
 */
import { z } from 'zod';
import type { EventGroup } from '../src/logs/logs-source.js';
import { defineTool, noData, ok } from './define-tool.js';
import { k8sName, logsGap, logsWindow, LogsWindowShape, noLogsSource, shownWindow, ShownLogsWindowSchema } from './logs-common.js';

const MESSAGE_MAX = 1000;

const input = z.strictObject({
  kind: z.string().min(1).max(63).optional().describe('Object kind, exact (Pod, Deployment, ReplicaSet, Node, …)'),
  name: k8sName('Object name, exact').optional(),
  namespace: k8sName('Namespace, exact').optional(),
  reason: z.string().min(1).max(128).optional().describe('Event reason, exact (BackOff, FailedScheduling, Unhealthy, …)'),
  type: z.enum(['Normal', 'Warning']).optional().describe('Only Normal or only Warning events'),
  ...LogsWindowShape,
  limit: z.number().int().min(1).max(500).default(50).describe('Most event groups (default 50, at most 500)'),
});

const output = z.strictObject({
  window: ShownLogsWindowSchema,
  count: z.number().int().describe('Event groups answered (at most limit)'),
  limit: z.number().int(),
  events: z.array(
    z.strictObject({
      last_seen: z.string(),
      first_seen: z.string(),
      count: z.number().int().describe('Occurrences in the window'),
      type: z.string(),
      reason: z.string(),
      kind: z.string(),
      name: z.string(),
      namespace: z.string(),
      message: z.string().describe(`Untrusted text from the cluster, cut to ${MESSAGE_MAX} characters`),
      source: z.string(),
    }),
  ),
});
export type ListEventsOutput = z.infer<typeof output>;

/** One event group as the tools answer it (and the event analysers read it). */
export function eventRecord(g: EventGroup): ListEventsOutput['events'][number] {
  return {
    last_seen: new Date(g.lastSeenMs).toISOString(),
    first_seen: new Date(g.firstSeenMs).toISOString(),
    count: g.count,
    type: g.type,
    reason: g.reason,
    kind: g.kind,
    name: g.name,
    namespace: g.namespace,
    message: g.message.slice(0, MESSAGE_MAX),
    source: g.sourceComponent,
  };
}

export const listEvents = defineTool({
  name: 'list_events',
  description:
    'List the Kubernetes events of the workspace (BackOff, FailedScheduling, Unhealthy, ErrImagePull, OOMKilling, …), newest first, identical events folded with their count and first/last time. Filters: kind, name, namespace, reason, type (Normal|Warning), window_minutes. Results are limited to your workspace.',
  scope: 'aiops:read',
  mutates: false,
  input,
  output,
  async handler(args, ctx, deps) {
    if (!deps.logs) return noLogsSource('Kubernetes events');
    const window = logsWindow(args.window_minutes, deps.now(), args.end_time);
    try {
      const groups = await deps.logs.events(
        ctx.auth,
        { window, kind: args.kind, name: args.name, namespace: args.namespace, reason: args.reason, type: args.type, limit: args.limit },
        ctx.signal,
      );
      const shown = shownWindow(window);
      if (groups.length === 0) return noData(`no Kubernetes events matching the filters between ${shown.start} and ${shown.end}`);
      return ok({
        window: shown,
        count: groups.length,
        limit: args.limit,
        events: groups.map(eventRecord),
      });
    } catch (err) {
      return logsGap(err, 'Kubernetes events');
    }
  },
  summarize: (data) =>
    `${data.count} event group(s) between ${data.window.start} and ${data.window.end}, ${data.events.filter((e) => e.type === 'Warning').length} of them warnings`,
  evidence: (data) =>
    data.events.slice(0, 5).map((e) => ({
      kind: 'event',
      ref: `${e.namespace ? `${e.namespace}/` : ''}${e.kind}/${e.name}`,
      description: `${e.type} ${e.reason} ×${e.count}, last ${e.last_seen}: ${e.message}`.slice(0, 300),
    })),
});
