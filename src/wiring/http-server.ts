/**
 * Part of the composition root: the Fastify instance before any client or route. Logs that mask
 * secrets, request ids (a caller's well-formed X-Request-Id, else a new one, echoed on every
 * answer), zod validation, the one error handler and its error shape for every failure (also for
 * requests the router or Node's parser refuse), 503 while closing, and the service's own metrics,
 * which clients, limits and plugins register theirs into.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import { clientErrorHandler } from '../http/client-error.js';
import { answer503WhileClosing } from '../http/closing-503.js';
import { frameworkErrorHandler, registerErrorHandling } from '../http/error-handler.js';
import { LOG_HOOKS, LOG_SERIALIZERS } from '../http/log-serializers.js';
import metrics from '../plugins/metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Paths pino must never print: tokens, cookies, secrets. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  '*.rawToken',
  '*.password',
  '*.apiKey',
  '*.api_key',
  '*.secret',
];

export async function createHttpServer(config: Config, logger?: FastifyServerOptions['logger']): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? {
      level: config.http.logLevel,
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
      serializers: LOG_SERIALIZERS,
      hooks: LOG_HOOKS,
    },
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: false, // answer503WhileClosing answers instead, with Retry-After and a reason
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  answer503WhileClosing(app);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-Request-Id', request.id);
    done(null, payload);
  });
  await app.register(metrics);
  return app;
}
