/**
 * The composition root: the only place that builds clients from the configuration. It wires them
 * into plugins and routes (external → app plugins → routes) and closes them when the app closes.
 * Tests call `buildApp` with a plain config object and may override any built service.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { JWTVerifyGetKey } from 'jose';
import { createKeyResolver } from './auth/key-resolver.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { createPostgresPool } from './clients/postgres.js';
import { createRedis } from './clients/redis.js';
import type { Config } from './config.js';
import { dependencyChecks } from './health/dependency-checks.js';
import { registerErrorHandling } from './http/error-handler.js';
import authGuard, { type AuthGuardOptions } from './plugins/auth-guard.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import security from './plugins/security.js';
import authValidateRoute from './routes/auth-validate.js';
import healthRoutes from './routes/health.js';
import workspaceAccessRoute from './routes/workspace-access.js';
import { readServiceVersion } from './version.js';

export interface BuildOptions {
  /** Pino options, or false to silence logs (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Replace the key lookup (tests use a local JWKS server or a generated key). */
  getKey?: JWTVerifyGetKey;
  onAuthorizationDecision?: AuthGuardOptions['onDecision'];
}

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

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const version = readServiceVersion();
  const app = Fastify({
    logger: options.logger ?? { level: config.http.logLevel, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } },
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });

  const getKey = options.getKey ?? (await createKeyResolver(config.jwt.key, { algorithms: config.jwt.algorithms, jwksCacheMs: config.jwt.jwksCacheMs }));
  const verifier = createTokenVerifier(config.jwt, getKey);
  const redis = config.redisUrl ? createRedis(config.redisUrl, (err) => app.log.warn({ err: err.message }, 'redis unavailable')) : undefined;
  const postgres = config.databaseUrl ? createPostgresPool(config.databaseUrl) : undefined;
  app.addHook('onClose', async () => {
    await Promise.allSettled([redis?.quit(), postgres?.end()]);
  });

  await app.register(metrics);
  await app.register(authGuard, {
    verifier,
    crossWorkspaceSubjects: config.jwt.crossWorkspaceSubjects,
    ...(options.onAuthorizationDecision ? { onDecision: options.onAuthorizationDecision } : {}),
  });
  await app.register(security, { corsOrigins: config.http.corsOrigins });
  await app.register(openapi, { version });

  const { checks, unconfigured } = dependencyChecks(config, { redis, postgres });
  await app.register(healthRoutes, { checks, unconfigured, version });
  await app.register(authValidateRoute);
  await app.register(workspaceAccessRoute);
  return app;
}
