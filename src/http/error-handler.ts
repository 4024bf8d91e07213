/**
 * The one error handler: every failure leaves as `{error, message, statusCode, requestId}`, with
 * field paths for validation errors. What a known error becomes (status, reason, headers) is in
 * the one error table (error-table.ts). 5xx bodies never carry stack traces or upstream internals
 * (those go to the log, keyed by the request id).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { httpAnswerOf } from './error-table.js';
import { statusText } from './http-errors.js';

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
  app.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const answer = httpAnswerOf(err);
    if (answer) {
      const { statusCode, message, extra, headers, warning } = answer;
      if (warning) request.log.warn(warning.fields, warning.message);
      else if (warning === undefined && statusCode >= 500) request.log.warn({ err }, 'request failed');
      return reply
        .code(statusCode)
        .headers(headers)
        .send(errorBody(request, statusCode, message, extra));
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
