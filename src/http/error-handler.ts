/**
 * The one error handler: every failure leaves as `{error, message, statusCode, requestId}`, with
 * field paths for validation errors. 5xx bodies never carry stack traces or upstream internals
 * (those go to the log, keyed by the request id).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AuditUnavailableError } from '../audit/event.js';
import { AuthError } from '../auth/auth-error.js';
import { LimitExceededError } from '../limits/limit-exceeded.js';
import { MetricsError } from '../metrics/metrics-error.js';
import { RunsDraining } from '../runs/runs-draining.js';
import { DependencyUnavailable } from '../resilience/dependency-unavailable.js';
import { dependencyHttpError } from './dependency-http-error.js';
import { HttpError, serviceUnavailable, statusText } from './http-errors.js';
import { metricsHttpError } from './metrics-http-error.js';

export interface ErrorBody {
  error: string;
  message: string;
  statusCode: number;
  requestId: string;
  [extra: string]: unknown;
}

export function errorBody(request: FastifyRequest, statusCode: number, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { error: statusText(statusCode), message, statusCode, requestId: request.id, ...extra };
}

/**
 * Fastify's router refuses some paths before any route or hook runs (a path parameter longer than
 * maxParamLength, a path that is not valid percent-encoding) and by default answers them with its
 * own body, which echoes the whole path and has no request id. This gives them the one shape.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const [statusCode, message] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'a path parameter is longer than the server accepts']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'the path is not valid percent-encoding']
        : [500, 'internal error'];
  if (statusCode === 500) request.log.error({ err: error }, 'router error');
  // The onSend hook that sets X-Request-Id does not run for a request that matched no route yet.
  void reply
    .code(statusCode)
    .header('X-Request-Id', request.id)
    .send(errorBody(request, statusCode, message));
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    let err: FastifyError | Error = error;
    if (err instanceof AuthError) {
      if (err.statusCode === 401) reply.header('WWW-Authenticate', `Bearer error="invalid_token", error_description="${err.reason}"`);
      else reply.header('Retry-After', '5');
      return reply.code(err.statusCode).send(errorBody(request, err.statusCode, err.message, { reason: err.reason }));
    }
    if (err instanceof MetricsError) err = metricsHttpError(err);
    if (err instanceof AuditUnavailableError) {
      // An action could not be recorded (fail closed: it was not taken): a temporary state of the audit trail, not a bug.
      err = serviceUnavailable('the audit trail cannot record this action right now; retry later', { reason: `audit_${err.reason}` }, 5);
    }
    if (err instanceof DependencyUnavailable) {
      // An outage, not a bug: one warning line with the cause, no stack, and a 503 the caller can retry.
      request.log.warn({ reason: err.reason, cause: err.causeLine() }, 'dependency unavailable');
      const mapped = dependencyHttpError(err);
      reply.headers(mapped.headers);
      return reply.code(503).send(errorBody(request, 503, mapped.message, mapped.extra));
    }
    if (err instanceof RunsDraining) {
      err = new HttpError(503, err.message, { reason: err.reason }, { 'Retry-After': String(err.retryAfterSeconds), Connection: 'close' });
    }
    if (err instanceof LimitExceededError) {
      err = new HttpError(
        429,
        err.message,
        { reason: err.reason, limit: err.limit, retry_after_seconds: err.retryAfterSeconds },
        { 'Retry-After': String(err.retryAfterSeconds) },
      );
    }
    if (err instanceof HttpError) {
      reply.headers(err.headers);
      if (err.statusCode >= 500) request.log.warn({ err }, 'request failed');
      return reply.code(err.statusCode).send(errorBody(request, err.statusCode, err.message, err.extra));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const context = (err as FastifyError).validationContext ?? 'request';
      const details = err.validation.map((v) => ({
        path: [context, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
      return reply.code(400).send(errorBody(request, 400, `invalid ${context}: ${summary}`, { details }));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, issues: err.cause.issues }, 'response does not match its schema');
      return reply.code(500).send(errorBody(request, 500, 'internal error'));
    }
    const statusCode = (err as FastifyError).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      // Fastify's own client errors (bad JSON, body too large, bad content type): their messages are safe.
      return reply.code(statusCode).send(errorBody(request, statusCode, err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody(request, 500, 'internal error'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(request, 404, `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
