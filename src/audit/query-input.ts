/**
 * The audit route's inputs: time parsing (RFC 3339 or Unix seconds), the opaque cursor, and which
 * event types a caller may see.
 */
import { hasPermission, type Permission } from '../auth/permissions.js';
import { AUDIT_EVENT_TYPES, type AuditEventType } from './event.js';

export const MAX_RANGE_MS = 31 * 86_400_000;
export const DEFAULT_RANGE_MS = 86_400_000;

// Both patterns are anchored with bounded repetitions (no nested quantifiers): linear time.
// eslint-disable-next-line security/detect-unsafe-regex
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
// eslint-disable-next-line security/detect-unsafe-regex
const UNIX_SECONDS = /^\d{1,11}(\.\d{1,6})?$/;

/** Milliseconds since the epoch, or an error message. */
export function parseTime(value: string, name: string): number | string {
  const v = value.trim();
  if (UNIX_SECONDS.test(v)) return Math.round(Number(v) * 1000);
  if (RFC3339.test(v)) {
    const ms = Date.parse(v.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  return `${name} must be an RFC 3339 time with a zone (2026-01-31T12:00:00Z) or Unix seconds`;
}

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** Resolves from/to (defaults: the last 24 h) or returns the reason they are unusable. */
export function resolveRange(from: string | undefined, to: string | undefined, now = Date.now()): TimeRange | string {
  const toMs = to === undefined ? now : parseTime(to, 'to');
  if (typeof toMs === 'string') return toMs;
  const fromMs = from === undefined ? toMs - DEFAULT_RANGE_MS : parseTime(from, 'from');
  if (typeof fromMs === 'string') return fromMs;
  if (fromMs > toMs) return '"from" is after "to"';
  if (toMs - fromMs > MAX_RANGE_MS)
    return `the range is wider than ${MAX_RANGE_MS / 86_400_000} days; narrow it or page through several ranges`;
  return { fromMs, toMs };
}

export { decodeCursor, encodeCursor, type Cursor } from '../storage/page-cursor.js';

/**
 * What a caller sees in its workspace:
 *  - `aiops:admin`: every event type, every user;
 *  - anyone else with `aiops:read`: what the AI did (tool calls, LLM calls, remediation changes, insights, incidents) for
 *    every user of the workspace, and their *own* authorization decisions only.
 * Events with no verified workspace (401s) are never returned here; operators query ClickHouse.
 */
export function visibleTypes(permissions: readonly Permission[]): { all: AuditEventType[]; own: AuditEventType[] } {
  if (hasPermission(permissions, 'aiops:admin')) return { all: [...AUDIT_EVENT_TYPES], own: [] };
  return { all: ['tool_call', 'llm_call', 'remediation', 'insight', 'incident', 'alert_intake', 'notification'], own: ['authorization'] };
}
