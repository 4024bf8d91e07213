/**
 * The one table of what errors become over HTTP: status, body fields and headers. Domain errors
 * (remediation, runs, limits, audit, chat, metrics, the stores) say what went wrong with a stable
 * `reason` or `kind` and, when it applies, when to retry; how HTTP shows that is decided here and
 * nowhere else, so routes just throw them. The one error handler (error-handler.ts) applies it.
 * The first row whose class matches wins: a subclass needs its own row above its parent's.
 */
import { AuditUnavailableError } from '../audit/event.js';
import { AuthError } from '../auth/auth-error.js';
import { ThreadBusy, ThreadNotFound } from '../chat/thread-errors.js';
import { LimitExceededError } from '../limits/limit-exceeded.js';
import { MetricsError, type MetricsErrorKind } from '../metrics/metrics-error.js';
import { RemediationError, type RemediationRefusal } from '../remediation/errors.js';
import { DependencyUnavailable } from '../resilience/dependency-unavailable.js';
import { RunsDraining } from '../runs/runs-draining.js';
import { HttpError } from './http-errors.js';

export interface HttpAnswer {
  statusCode: number;
  /** Written for the caller; never a stack or an upstream's internals. */
  message: string;
  /** Extra, safe-to-show fields merged into the body (`reason`, …). */
  extra: Record<string, unknown>;
  headers: Record<string, string>;
  /** The warning line the failure leaves in the log; default: a 5xx with its error ('request failed'); null: none. */
  warning?: { fields: Record<string, unknown>; message: string } | null;
}

const METRICS_STATUS: Record<MetricsErrorKind, number> = {
  invalid_query: 400,
  limit_exceeded: 400,
  needs_prometheus: 501,
  unavailable: 503,
  timeout: 504,
  upstream: 502,
};

const REMEDIATION_STATUS: Record<RemediationRefusal, number> = {
  invalid: 400,
  denied: 403,
  not_found: 404,
  conflict: 409,
  limited: 429,
};

const retryAfter = (seconds: number): Record<string, string> => ({ 'Retry-After': String(seconds) });

interface Row {
  type: abstract new (...args: never[]) => Error;
  answer(err: Error): HttpAnswer;
}

function row<E extends Error>(type: abstract new (...args: never[]) => E, answer: (err: E) => HttpAnswer): Row {
  return { type, answer: answer as (err: Error) => HttpAnswer };
}

const TABLE: readonly Row[] = [
  row(AuthError, (err) => ({
    statusCode: err.statusCode,
    message: err.message,
    extra: { reason: err.reason },
    // 401: the token was refused; 503: the key source (JWKS) cannot be reached, which is not the caller's fault.
    headers:
      err.statusCode === 401 ? { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${err.reason}"` } : retryAfter(5),
    warning: null, // counted by the auth guard's metric
  })),
  row(MetricsError, (err) => ({
    statusCode: METRICS_STATUS[err.kind],
    message: err.message,
    extra: { reason: err.kind, ...err.details },
    headers: err.kind === 'unavailable' ? retryAfter(10) : {},
  })),
  // An action could not be recorded (fail closed: it was not taken): a temporary state of the audit trail, not a bug.
  // The spool's internals (err.message) stay in the log.
  row(AuditUnavailableError, (err) => ({
    statusCode: 503,
    message: 'the audit trail cannot record this action right now; retry later',
    extra: { reason: `audit_${err.reason}` },
    headers: retryAfter(5),
  })),
  // An outage, not a bug: one warning line with the cause, no stack, and a 503 the caller can retry.
  row(DependencyUnavailable, (err) => ({
    statusCode: 503,
    message: err.message,
    extra: { reason: err.reason, ...err.details },
    headers: retryAfter(err.retryAfterSeconds),
    warning: { fields: { reason: err.reason, cause: err.causeLine() }, message: 'dependency unavailable' },
  })),
  // Connection: close, so that the client's retry opens a new connection, which lands on another instance.
  row(RunsDraining, (err) => ({
    statusCode: 503,
    message: err.message,
    extra: { reason: err.reason },
    headers: { ...retryAfter(err.retryAfterSeconds), Connection: 'close' },
  })),
  row(LimitExceededError, (err) => ({
    statusCode: 429,
    message: err.message,
    extra: { reason: err.reason, limit: err.limit, retry_after_seconds: err.retryAfterSeconds },
    headers: retryAfter(err.retryAfterSeconds),
  })),
  row(RemediationError, (err) => ({
    statusCode: REMEDIATION_STATUS[err.kind],
    message: err.message,
    extra: { reason: err.reason, ...err.details },
    headers: err.retryAfterSeconds === undefined ? {} : retryAfter(err.retryAfterSeconds),
  })),
  row(ThreadNotFound, (err) => ({ statusCode: 404, message: err.message, extra: {}, headers: {} })),
  row(ThreadBusy, (err) => ({
    statusCode: 409,
    message: err.message,
    extra: { reason: err.reason },
    headers: retryAfter(err.retryAfterSeconds),
  })),
  // What the HTTP layer itself refuses (routes and plugins: bad query, 404 of a resource, 406, a denied scope).
  row(HttpError, (err) => ({ statusCode: err.statusCode, message: err.message, extra: err.extra, headers: err.headers })),
];

/** The answer for an error the table knows; undefined for anything else (the error handler's generic cases). */
export function httpAnswerOf(err: unknown): HttpAnswer | undefined {
  return TABLE.find((r) => err instanceof r.type)?.answer(err as Error);
}
