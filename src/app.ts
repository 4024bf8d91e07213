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
import { createTokenVerifier, relaxedTokenPolicyWarnings, type TokenVerifier } from './auth/token-verifier.js';
import type { AuditPipeline } from './audit/pipeline.js';
import type pg from 'pg';
import { createPostgresPool } from './clients/postgres.js';
import { createRedis, GuardedRedis } from './clients/redis.js';
import { DependencyMonitor, registerDependencyMetrics } from './health/dependency-monitor.js';
import { registerBreakerMetrics } from './resilience/metrics.js';
import { registerAuditMetrics } from './audit/metrics.js';
import { auditSpoolCheck } from './health/audit-spool.js';
import auditPlugin, { auditHooks } from './plugins/audit.js';
import auditRoute from './routes/audit.js';
import type { Config } from './config.js';
import { dependencyChecks } from './health/dependency-checks.js';
import { answer503WhileClosing } from './http/closing-503.js';
import { registerErrorHandling } from './http/error-handler.js';
import { frameworkErrorHandler } from './http/error-handler.js';
import { clientErrorHandler } from './http/client-error.js';
import { LOG_HOOKS, LOG_SERIALIZERS } from './http/log-serializers.js';
import authGuard, { type AuthGuardOptions } from './plugins/auth-guard.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import security from './plugins/security.js';
import authValidateRoute from './routes/auth-validate.js';
import healthRoutes from './routes/health.js';
import workspaceAccessRoute from './routes/workspace-access.js';
import metricsRoutes from './routes/metrics-query.js';
import { openAudit } from './wiring/audit.js';
import { buildMetricsSource } from './wiring/metrics-source.js';
import { buildAnalysis, type Analysis } from './wiring/analysis.js';
import analyzeRoutes from './routes/analyze.js';
import workspaceInsightRoutes from './routes/workspace-insights.js';
import insightRoutes from './routes/insights.js';
import uiRoutes from './routes/ui.js';
import type { MetricsSource } from './metrics/metrics-source.js';
import type { FindingsEngine } from './analysis/workers/findings-engine.js';
import { readServiceVersion } from './version.js';
import { ControlPlaneClient } from './clients/hexabase.js';
import { buildRemediation } from './wiring/remediation.js';
import type { RemediationService } from './remediation/service.js';
import remediationRoutes from './routes/remediations.js';
import chatRoutes from './routes/chat.js';
import { buildChat, chatRemediationProposer } from './wiring/chat.js';
import type { ChatService } from '../agents/chat/service.js';
import type { RemediationProposer } from './chat/remediation-port.js';
import { buildLimits } from './wiring/limits.js';
import rateLimits, { type RateLimitsOptions } from './plugins/rate-limits.js';
import type { DrainReport } from '../agents/runs.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Shutdown, first step (src/server.ts, before `close()`): no new analysis runs (503 `shutting_down`),
     * running ones waited for, the rest stopped at their last checkpoint and handed to another instance.
     * The server keeps answering meanwhile (run polls, approvals). Idempotent; `close()` runs it too.
     */
    drainRuns(): Promise<DrainReport>;
  }
}

export interface BuildOptions {
  /** Pino options, or false to silence logs (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Replace the key lookup (tests use a local JWKS server or a generated key). */
  getKey?: JWTVerifyGetKey;
  onAuthorizationDecision?: AuthGuardOptions['onDecision'];
  /** Replace the metrics data layer (tests). */
  metricsSource?: MetricsSource;
  /** The clock of analyses (tests pin it to the end of their backfilled data). */
  now?: () => number;
  /** Replace where the findings analysers run (tests hold or count the work; the test closes it). */
  findingsEngine?: FindingsEngine;
  /** Replace the remediation service as chat sees it (tests record the calls). */
  chatRemediationProposer?: RemediationProposer;
  /** Prefix of the limits' Redis keys (tests use one per file); default `aiops:limits:`. */
  limitsKeyPrefix?: string;
  /** The audit shipper's first backoff delay (tests make it long, to see a readiness probe cut it short). */
  auditRetryBaseMs?: number;
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
    logger: options.logger ?? {
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
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });

  const getKey =
    options.getKey ?? (await createKeyResolver(config.jwt.key, { algorithms: config.jwt.algorithms, jwksCacheMs: config.jwt.jwksCacheMs }));
  const verifier = createTokenVerifier(config.jwt, getKey);
  for (const warning of relaxedTokenPolicyWarnings(config.jwt)) app.log.warn({ component: 'auth' }, warning);
  const redisClient = config.redisUrl
    ? createRedis(config.redisUrl, (err) => app.log.warn({ err: err.message }, 'redis unavailable'))
    : undefined;
  // Every Redis user goes through one circuit breaker (src/clients/redis.ts); its transitions are logged once each.
  const redis = redisClient ? new GuardedRedis(redisClient) : undefined;
  redis?.breaker.onStateChange((state) =>
    app.log[state === 'closed' ? 'info' : 'warn']({ dependency: 'redis', state }, `redis circuit breaker ${state}`),
  );
  // The one PostgreSQL pool: checkpoints, chat threads and remediations share it; only this hook ends it.
  const postgres = config.databaseUrl
    ? createPostgresPool(config.databaseUrl, (err) => app.log.warn({ err: err.message }, 'postgres connection lost'))
    : undefined;
  app.addHook('onClose', async () => {
    redis?.breaker.shutdown();
    await Promise.allSettled([redisClient?.quit(), postgres?.end()]);
  });
  const audit = await openAudit(config, app.log, options.auditRetryBaseMs !== undefined ? { retryBaseMs: options.auditRetryBaseMs } : {});
  app.addHook('onClose', () => audit.close());
  try {
    await app.register(metrics);
    const metricsSource =
      options.metricsSource ?? buildMetricsSource(config, { redis, registry: app.metrics.registry, warn: (msg) => app.log.warn(msg) });
    const controlPlane = config.hexabase.apiUrl
      ? new ControlPlaneClient({
          baseUrl: config.hexabase.apiUrl,
          timeoutMs: config.hexabase.timeoutMs,
          ...(config.hexabase.apiToken ? { internalToken: config.hexabase.apiToken } : {}),
        })
      : undefined;
    const remediation = buildRemediation(config, {
      audit,
      ...(postgres ? { postgres } : {}),
      ...(redis ? { redis } : {}),
      ...(controlPlane ? { controlPlane } : {}),
      ...(options.now ? { now: options.now } : {}),
      warn: (msg) => app.log.warn(msg),
    });
    app.addHook('onClose', () => remediation.close());
    const limits = buildLimits(config, {
      redis,
      registry: app.metrics.registry,
      warn: (msg) => app.log.warn(msg),
      ...(options.limitsKeyPrefix ? { keyPrefix: options.limitsKeyPrefix } : {}),
    });
    const analysis = await buildAnalysis(config, {
      remediations: remediation.service,
      decisions: remediation.decisions,
      ...(controlPlane ? { controlPlane } : {}),
      metrics: metricsSource,
      audit,
      version,
      onBackgroundError: (runId, err) => app.log.error({ runId, err }, 'analysis run failed'),
      registry: app.metrics.registry,
      ...(options.findingsEngine ? { findings: options.findingsEngine } : {}),
      now: options.now ?? Date.now,
      ...(redis ? { redis } : {}),
      ...(postgres ? { postgres } : {}),
      warn: (msg) => app.log.warn(msg),
      limits,
      ...(postgres ? { postgres } : {}),
      onRecovered: (runId, outcome) => app.log.warn({ runId, outcome }, 'analysis run recovered after its process stopped'),
    });
    app.addHook('onClose', () => analysis.close());
    app.decorate('drainRuns', () => analysis.drain());
    app.addHook('preClose', async () => void (await analysis.drain()));
    const chat = buildChat(config, {
      analysis,
      ...(postgres ? { postgres } : {}),
      proposer: options.chatRemediationProposer ?? chatRemediationProposer(remediation.service),
      onError: (threadId, err) => app.log.error({ threadId, err }, 'chat turn failed'),
      turns: limits.chatTurns,
    });
    await registerPluginsAndRoutes(app, config, options, {
      verifier,
      redis,
      postgres,
      audit,
      version,
      metricsSource,
      analysis,
      remediations: remediation.service,
      chat: chat.service,
      rateLimits: limits.rateLimits,
    });
  } catch (err) {
    await app.close(); // runs the onClose hooks: the audit pipeline and the clients are released
    throw err;
  }
  return app;
}

interface Built {
  verifier: TokenVerifier;
  redis?: GuardedRedis;
  postgres?: pg.Pool;
  audit: AuditPipeline;
  version: string;
  metricsSource: MetricsSource;
  analysis: Analysis;
  remediations: RemediationService;
  chat: ChatService;
  rateLimits: RateLimitsOptions;
}

/** Order matters: metrics and the guard first (others hook into them), then app plugins, then routes. */
async function registerPluginsAndRoutes(app: FastifyInstance, config: Config, options: BuildOptions, built: Built): Promise<void> {
  const { verifier, redis, postgres, audit, version, metricsSource, analysis, remediations, chat, rateLimits: rateLimitOptions } = built;
  const audited = auditHooks(audit);
  await app.register(authGuard, {
    verifier,
    crossWorkspaceSubjects: config.jwt.crossWorkspaceSubjects,
    onDecision: (decision, request) => {
      audited.onDecision(decision, request);
      options.onAuthorizationDecision?.(decision, request);
    },
  });
  await app.register(rateLimits, rateLimitOptions); // after the guard: keys on the verified workspace and subject
  await app.register(auditPlugin, { audit });
  registerAuditMetrics(app.metrics.registry, audit.status);
  await app.register(security, { corsOrigins: config.http.corsOrigins });
  await app.register(openapi, { version });

  // A probe that finds ClickHouse answering wakes the audit shipper, so a full spool clears now, not after its backoff.
  const { checks, unconfigured } = dependencyChecks(config, { redis: redis?.client, postgres }, { onClickHouseUp: () => audit.retryNow() });
  checks.push(auditSpoolCheck(audit.status));
  // Draining for shutdown: the load balancer should stop sending new work here (runs are refused with 503).
  checks.push({
    name: 'instance',
    required: true,
    impact: 'this instance is shutting down: new analysis runs answer 503 shutting_down; send traffic to another instance',
    probe: async () => {
      if (analysis.runs.draining) throw new Error('shutting down');
    },
  });
  const monitor = new DependencyMonitor(checks, unconfigured);
  registerDependencyMetrics(app.metrics.registry, monitor);
  if (redis) registerBreakerMetrics(app.metrics.registry, [redis.breaker]);
  await app.register(healthRoutes, { monitor, version });
  await app.register(authValidateRoute);
  await app.register(workspaceAccessRoute);
  await app.register(metricsRoutes, { source: metricsSource, limits: config.metrics.limits });
  await app.register(auditRoute, { audit });
  await app.register(analyzeRoutes, { runs: analysis.runs, now: options.now ?? Date.now });
  await app.register(workspaceInsightRoutes, {
    metrics: metricsSource,
    now: options.now ?? Date.now,
    findings: analysis.findings,
    timeoutSeconds: config.compute.analysisTimeoutMs / 1000,
  });
  await app.register(insightRoutes, { audit });
  await app.register(uiRoutes); // the web console's static files (public; its API calls carry the token)
  await app.register(remediationRoutes, { remediations });
  await app.register(chatRoutes, { chat, keepAliveMs: config.chat.keepAliveMs });
}
