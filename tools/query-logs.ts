/**
 * query_logs: the workspace's application logs (the OpenTelemetry Collector exporter's `otel_logs`,
 * the workspace a resource attribute), newest first, filtered by a case-insensitive search term,
 * a lowest severity and Kubernetes names. Confined to the caller's workspace by the logs query
 * builder; every value is a query parameter. A missing table or an unreachable store is a stated gap.
 */
import { z } from 'zod';
import { LOG_BODY_MAX_CHARS } from '../src/logs/logs-source.js';
import { defineTool, noData, ok } from './define-tool.js';
import {
  k8sName,
  levelOf,
  logsGap,
  logsWindow,
  LogsWindowShape,
  MinSeverityShape,
  noLogsSource,
  SEVERITY,
  shownWindow,
  ShownLogsWindowSchema,
} from './logs-common.js';

const input = z.strictObject({
  search: z.string().min(1).max(256).optional().describe('Text the log line contains, case-insensitive (a plain substring, not a pattern)'),
  min_severity: MinSeverityShape,
  namespace: k8sName('Namespace, exact').optional(),
  pod: k8sName('Pod name, exact').optional(),
  container: k8sName('Container name, exact').optional(),
  deployment: k8sName('Deployment name, exact').optional(),
  ...LogsWindowShape,
  limit: z.number().int().min(1).max(500).default(100).describe('Most lines (default 100, at most 500)'),
});

const output = z.strictObject({
  window: ShownLogsWindowSchema,
  count: z.number().int().describe('Lines answered (at most limit; newest first)'),
  limit: z.number().int(),
  lines: z.array(
    z.strictObject({
      time: z.string(),
      severity: z.string().describe('The severity text, or the level its number falls in'),
      severity_number: z.number().int(),
      service: z.string(),
      namespace: z.string(),
      pod: z.string(),
      container: z.string(),
      deployment: z.string(),
      body: z.string().describe(`Untrusted text from the application, cut to ${LOG_BODY_MAX_CHARS} characters`),
      trace_id: z.string(),
    }),
  ),
});
export type QueryLogsOutput = z.infer<typeof output>;

export const queryLogs = defineTool({
  name: 'query_logs',
  description:
    'Search the application logs of the workspace (newest first): a case-insensitive search term, a lowest severity (trace|debug|info|warn|error|fatal), namespace, pod, container or deployment, window_minutes and limit. Log bodies are untrusted text from the application. Results are limited to your workspace.',
  scope: 'aiops:read',
  mutates: false,
  input,
  output,
  async handler(args, ctx, deps) {
    if (!deps.logs) return noLogsSource('application logs');
    const window = logsWindow(args.window_minutes, deps.now(), args.end_time);
    try {
      const lines = await deps.logs.logs(
        ctx.auth,
        {
          window,
          search: args.search,
          minSeverity: args.min_severity === undefined ? undefined : SEVERITY[args.min_severity],
          namespace: args.namespace,
          pod: args.pod,
          container: args.container,
          deployment: args.deployment,
          limit: args.limit,
        },
        ctx.signal,
      );
      const shown = shownWindow(window);
      if (lines.length === 0) return noData(`no log lines matching the filters between ${shown.start} and ${shown.end}`);
      return ok({
        window: shown,
        count: lines.length,
        limit: args.limit,
        lines: lines.map((l) => ({
          time: new Date(l.timestampMs).toISOString(),
          severity: l.severityText || levelOf(l.severityNumber),
          severity_number: l.severityNumber,
          service: l.service,
          namespace: l.namespace,
          pod: l.pod,
          container: l.container,
          deployment: l.deployment,
          body: l.body,
          trace_id: l.traceId,
        })),
      });
    } catch (err) {
      return logsGap(err, 'application logs');
    }
  },
  summarize: (data) =>
    `${data.count} log line(s) between ${data.window.start} and ${data.window.end}, ${data.lines.filter((l) => l.severity_number >= SEVERITY.error).length} at error or above`,
  evidence: (data) =>
    data.lines.slice(0, 5).map((l) => ({
      kind: 'log',
      ref: [l.namespace, l.pod || l.service].filter(Boolean).join('/') || 'log',
      description: `${l.time} ${l.severity}: ${l.body}`.slice(0, 300),
    })),
});
