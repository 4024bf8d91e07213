/**
 * What the tools read beyond metrics: Kubernetes events and application logs, always confined to
 * the caller's workspace. The workspace comes from the verified AuthContext handed in by the
 * caller (never from query fields), and every implementation sends its queries through the one
 * query builder (query-builder.ts) that adds the workspace predicate and the bounds.
 *
 * Failures are thrown as LogsError (a typed gap: missing table, unreachable server, bound hit);
 * the tools turn them into answers.
 */
import type { AuthContext } from '../auth/auth-context.js';

/** A time range, Unix ms, `from` inclusive and `to` exclusive. */
export interface LogsWindow {
  fromMs: number;
  toMs: number;
}

export interface EventQuery {
  window: LogsWindow;
  /** Object kind (Pod, Deployment, Node, …), exact. */
  kind?: string;
  /** Object name, exact. */
  name?: string;
  namespace?: string;
  /** Event reason (BackOff, FailedScheduling, …), exact. */
  reason?: string;
  type?: 'Normal' | 'Warning';
  /** Most groups answered. */
  limit: number;
}

/** Identical events (same object, reason, type and message) folded into one, newest first. */
export interface EventGroup {
  namespace: string;
  kind: string;
  name: string;
  reason: string;
  type: string;
  message: string;
  sourceComponent: string;
  /** Occurrences: the sum of the rows' own `count` (Kubernetes already folds repeats into it). */
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface LogQuery {
  window: LogsWindow;
  /** Substring of the body, case-insensitive. */
  search?: string;
  /** Lowest OpenTelemetry severity number (1 TRACE, 5 DEBUG, 9 INFO, 13 WARN, 17 ERROR, 21 FATAL). */
  minSeverity?: number;
  namespace?: string;
  pod?: string;
  container?: string;
  deployment?: string;
  limit: number;
}

export interface LogLine {
  timestampMs: number;
  severityText: string;
  /** The OpenTelemetry severity number, derived from the text when the exporter left it 0. */
  severityNumber: number;
  service: string;
  namespace: string;
  pod: string;
  container: string;
  deployment: string;
  /** The body, cut to LOG_BODY_MAX_CHARS. */
  body: string;
  traceId: string;
}

export const LOG_BODY_MAX_CHARS = 2000;

/** What security events are grouped by. */
export const SECURITY_GROUP_KEYS = ['source_ip', 'user_id', 'action', 'event_type'] as const;
export type SecurityGroupKey = (typeof SECURITY_GROUP_KEYS)[number];

/** Results that count as a failure (matched case-insensitively). */
export const FAILED_RESULTS = [
  'failure',
  'failed',
  'fail',
  'denied',
  'deny',
  'error',
  'forbidden',
  'unauthorized',
  'blocked',
  'rejected',
] as const;

export interface SecurityQuery {
  window: LogsWindow;
  eventType?: string;
  /** Only failed events (FAILED_RESULTS). */
  failedOnly?: boolean;
  userId?: string;
  sourceIp?: string;
  /** Lowest `risk_score`. */
  minRisk?: number;
  limit: number;
}

/** Security events folded by one key (a source IP, a user, an action or an event type). */
export interface SecurityGroup {
  key: string;
  count: number;
  failures: number;
  /** Distinct users and source IPs among the group's events. */
  users: number;
  sources: number;
  maxRisk: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** The newest event's type, action, resource and message (untrusted, cut). */
  eventType: string;
  action: string;
  resource: string;
  message: string;
}

export interface SecurityEventRow {
  timestampMs: number;
  eventType: string;
  severity: string;
  userId: string;
  sourceIp: string;
  resource: string;
  action: string;
  result: string;
  message: string;
  riskScore: number;
}

/** The bounds every query carries (the builder refuses a query beyond them). */
export interface LogsBounds {
  /** Longest time range of one query. */
  maxWindowMs: number;
  /** Most rows of one answer. */
  maxRows: number;
  /** ClickHouse `max_execution_time`. */
  maxExecutionSeconds: number;
  /** ClickHouse `max_bytes_to_read`: one request cannot scan the cluster. */
  maxBytesToRead: number;
}

export const DEFAULT_LOGS_BOUNDS: LogsBounds = {
  maxWindowMs: 7 * 86_400_000,
  maxRows: 500,
  maxExecutionSeconds: 10,
  maxBytesToRead: 2 * 1024 ** 3,
};

export interface LogsSource {
  /** Where it reads (without credentials) and from which database, for messages. */
  readonly location: string;
  readonly bounds: LogsBounds;
  events(auth: AuthContext, query: EventQuery, signal?: AbortSignal): Promise<EventGroup[]>;
  logs(auth: AuthContext, query: LogQuery, signal?: AbortSignal): Promise<LogLine[]>;
  /** The platform's security events folded by `by`, most failures first. */
  securityGroups(auth: AuthContext, query: SecurityQuery, by: SecurityGroupKey, signal?: AbortSignal): Promise<SecurityGroup[]>;
  /** The newest security events themselves. */
  securityEvents(auth: AuthContext, query: SecurityQuery, signal?: AbortSignal): Promise<SecurityEventRow[]>;
  close(): Promise<void>;
}
