/**
 * log_patterns: the workspace's application logs as templates (Drain, src/logs/drain.ts): each with its
 * count in the window and in the window before it, whether it is new, its surge, the workloads it comes
 * from and one example line — new and surging error templates first. Reads a bounded sample of each
 * window (the newest lines, at most the source's row bound) through the confined logs source.
 */
import { z } from 'zod';
import { minePatterns } from '../src/logs/log-patterns.js';
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

const EXAMPLE_MAX = 500;

const input = z.strictObject({
  namespace: k8sName('Namespace, exact').optional(),
  deployment: k8sName('Deployment name, exact').optional(),
  pod: k8sName('Pod name, exact').optional(),
  min_severity: MinSeverityShape,
  ...LogsWindowShape,
  limit: z.number().int().min(1).max(100).default(20).describe('Most templates (default 20)'),
});

const output = z.strictObject({
  window: ShownLogsWindowSchema,
  previous_window: ShownLogsWindowSchema,
  lines_read: z.number().int().describe('Lines of the window read (the newest, up to the row bound)'),
  previous_lines_read: z.number().int(),
  sampled: z.boolean().describe('True when a window had more lines than were read'),
  patterns: z.array(
    z.strictObject({
      template: z.string().describe('Masked text; <*> marks what varies, <NUM>, <IP>, <STR>, … what was masked'),
      count: z.number().int(),
      previous_count: z.number().int(),
      new: z.boolean(),
      surge_ratio: z.number().nullable().describe('count ÷ previous_count; null when new'),
      first_seen: z.string(),
      last_seen: z.string(),
      max_severity: z.string(),
      workloads: z.array(z.string()),
      example: z.string().describe(`Untrusted text from the application, cut to ${EXAMPLE_MAX} characters`),
    }),
  ),
});
export type LogPatternsOutput = z.infer<typeof output>;

export const logPatterns = defineTool({
  name: 'log_patterns',
  description:
    "Mine the workspace's application logs into templates (Drain): each template's count in the window and in the window before it, whether it is new, its surge ratio, the workloads it comes from and an example line; new and surging errors first. Filters: namespace, deployment, pod, min_severity, window_minutes. Examples are untrusted text. Results are limited to your workspace.",
  scope: 'aiops:read',
  mutates: false,
  input,
  output,
  async handler(args, ctx, deps) {
    if (!deps.logs) return noLogsSource('application logs');
    const window = logsWindow(args.window_minutes, deps.now(), args.end_time);
    const span = window.toMs - window.fromMs;
    const before = { fromMs: window.fromMs - span, toMs: window.fromMs };
    const rows = deps.logs.bounds.maxRows;
    const filters = {
      namespace: args.namespace,
      deployment: args.deployment,
      pod: args.pod,
      minSeverity: args.min_severity === undefined ? undefined : SEVERITY[args.min_severity],
      limit: rows,
    };
    try {
      const [current, previous, anyBefore] = await Promise.all([
        deps.logs.logs(ctx.auth, { ...filters, window }, ctx.signal),
        deps.logs.logs(ctx.auth, { ...filters, window: before }, ctx.signal),
        // Did the workload log anything before (whatever the severity)? Else nothing can be called new.
        deps.logs.logs(ctx.auth, { ...filters, minSeverity: undefined, window: before, limit: 1 }, ctx.signal),
      ]);
      const shown = shownWindow(window);
      if (current.length === 0) return noData(`no log lines matching the filters between ${shown.start} and ${shown.end}`);
      const patterns = minePatterns(current, previous, {}, anyBefore.length > 0).slice(0, args.limit);
      return ok({
        window: shown,
        previous_window: shownWindow(before),
        lines_read: current.length,
        previous_lines_read: previous.length,
        sampled: current.length >= rows || previous.length >= rows,
        patterns: patterns.map((p) => ({
          template: p.template,
          count: p.count,
          previous_count: p.previousCount,
          new: p.isNew,
          surge_ratio: p.surge === null ? null : Math.round(p.surge * 100) / 100,
          first_seen: new Date(p.firstSeenMs).toISOString(),
          last_seen: new Date(p.lastSeenMs).toISOString(),
          max_severity: levelOf(p.maxSeverity),
          workloads: p.workloads,
          example: p.example.slice(0, EXAMPLE_MAX),
        })),
      });
    } catch (err) {
      return logsGap(err, 'application logs');
    }
  },
  summarize: (data) =>
    `${data.patterns.length} template(s) from ${data.lines_read} line(s) between ${data.window.start} and ${data.window.end}, ${data.patterns.filter((p) => p.new).length} new`,
  evidence: (data) =>
    data.patterns.slice(0, 5).map((p) => ({
      kind: 'log',
      ref: p.workloads[0] ?? 'logs',
      description:
        `${p.max_severity} ×${p.count}${p.new ? ' (new)' : p.surge_ratio !== null ? ` (×${p.surge_ratio} vs before)` : ''}: ${p.template}`.slice(
          0,
          300,
        ),
    })),
});
