/** What the log tools share: their window, and how a logs-store gap becomes an answer. */
import { z } from 'zod';
import { LogsError } from '../src/logs/logs-error.js';
import type { LogsWindow } from '../src/logs/logs-source.js';
import { fail, noData } from './define-tool.js';
import type { ToolResult } from './tool.js';

export const LogsWindowShape = {
  window_minutes: z.number().int().min(1).max(10_080).default(60).describe('How far back to look, in minutes (default 60, at most 7 days)'),
  end_time: z
    .string()
    .datetime({ offset: true })
    .optional()
    .describe('End of the window, RFC 3339 (default now; never later than now): an analysis reads the events of its own window'),
};

/** OpenTelemetry's severity numbers: the lowest of each range. */
export const SEVERITY = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 } as const;
export type SeverityName = keyof typeof SEVERITY;

/** The lowest severity a log tool answers (trace|debug|info|warn|error|fatal). */
export const MinSeverityShape = z
  .enum(Object.keys(SEVERITY) as [SeverityName, ...SeverityName[]])
  .optional()
  .describe('Only lines at this severity or above');

/** The level a severity number falls in (`ERROR` for 17–20), `UNSPECIFIED` for 0. */
export function levelOf(n: number): string {
  const names = Object.entries(SEVERITY).filter(([, low]) => n >= low);
  return names.length ? names[names.length - 1]![0].toUpperCase() : 'UNSPECIFIED';
}

/** A name as Kubernetes spells it (at most 253 characters). */
export const k8sName = (what: string) => z.string().min(1).max(253).describe(what);

/** The last `minutes` before `endTime` (RFC 3339; default now, and never later than now). */
export function logsWindow(minutes: number, nowMs: number, endTime?: string): LogsWindow {
  const end = endTime === undefined ? nowMs : Math.min(nowMs, Date.parse(endTime));
  const toMs = Math.floor(end);
  return { fromMs: toMs - minutes * 60_000, toMs };
}

export const ShownLogsWindowSchema = z.strictObject({ start: z.string(), end: z.string() });
export const shownWindow = (w: LogsWindow) => ({ start: new Date(w.fromMs).toISOString(), end: new Date(w.toMs).toISOString() });

/**
 * A failure to read is a gap in the evidence, said as such, never a thrown error: a table that
 * does not exist is `no_data` (nothing to read there), an unreachable or refusing store is `error`.
 */
export function logsGap(err: unknown, what: string): ToolResult<never> {
  if (err instanceof LogsError) {
    if (err.kind === 'missing_table') return noData(`gap: ${err.message}, so there are no ${what} to read; the answer lacks this evidence`);
    return fail(`gap: the ${what} could not be read (${err.message}); the answer lacks this evidence`, {
      kind: err.kind,
      gap: what,
      ...err.details,
    });
  }
  return fail(`gap: reading the ${what} failed unexpectedly; the answer lacks this evidence`, { gap: what });
}

/** No source configured (a test or a deployment without one). */
export const noLogsSource = (what: string): ToolResult<never> =>
  noData(`gap: no logs store is configured, so there are no ${what} to read; the answer lacks this evidence`);
