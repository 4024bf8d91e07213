/**
 * Part of the composition root: every client of a system outside the process, built once from the
 * configuration, and released when the app closes. The token verifier and its key source (JWKS),
 * Redis (behind one circuit breaker), the one PostgreSQL pool, the audit trail (a spool shipped to
 * ClickHouse), the metrics source (Prometheus, or the embedded demo workspaces), the logs source
 * (events and application logs in ClickHouse), the Hexabase
 * control plane, and the LLM providers with their tracing. Everything else gets them from here.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { AuditPipeline } from '../audit/pipeline.js';
import { createKeyResolver } from '../auth/key-resolver.js';
import { createTokenVerifier, relaxedTokenPolicyWarnings, type TokenVerifier } from '../auth/token-verifier.js';
import { ControlPlaneClient } from '../clients/hexabase.js';
import { createPostgresPool } from '../clients/postgres.js';
import { createRedis, GuardedRedis } from '../clients/redis.js';
import type { Config } from '../config.js';
import type { LlmTracing } from '../llm/tracing.js';
import type { ChatLlm } from '../llm/types.js';
import type { LogsSource } from '../logs/logs-source.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { openAudit } from './audit.js';
import type { BuildOptions } from './build-options.js';
import { buildChatLlm, buildTracing } from './llm.js';
import type { LlmAttempt } from '../llm/chat-llm.js';
import { buildLogsSource } from './logs-source.js';
import { seedDemoLogs } from './demo-logs.js';
import { buildMetricsSource } from './metrics-source.js';

export interface Clients {
  verifier: TokenVerifier;
  /** Set when REDIS_URL is: caches, limits, locks and the execution budget share it. */
  redis?: GuardedRedis;
  /** Set when DATABASE_URL is: checkpoints, run leases, chat threads and remediations share it. */
  postgres?: pg.Pool;
  audit: AuditPipeline;
  metrics: MetricsSource;
  /** Kubernetes events and application logs (ClickHouse or the audit's embedded chDB), opened on first use. */
  logs: LogsSource;
  /** Set when HEXABASE_API_URL is: tools read workspace objects and remediations act through it. */
  controlPlane?: ControlPlaneClient;
  /** The LLM providers, without the daily budget (the agent kit puts it in front); none configured: deterministic answers. */
  llm?: ChatLlm;
  tracing?: LlmTracing;
}

/**
 * Each client's release is hooked as soon as it exists, so a failure halfway (the caller then
 * closes the app) still releases what was built. onClose hooks run last-registered first: these
 * close after everything built on them.
 */
export async function buildClients(
  app: FastifyInstance,
  config: Config,
  options: Pick<BuildOptions, 'getKey' | 'metricsSource' | 'logsSource' | 'auditRetryBaseMs' | 'now'> & {
    version: string;
    onLlmAttempt?: (a: LlmAttempt) => void;
  },
): Promise<Clients> {
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
  const metrics =
    options.metricsSource ?? buildMetricsSource(config, { redis, registry: app.metrics.registry, warn: (msg) => app.log.warn(msg) });
  // Registered after the audit's hook, so it closes first: the embedded client is released by its last user.
  const logs = options.logsSource ?? buildLogsSource(config);
  app.addHook('onClose', () => logs.close());
  if (config.logs.demoData) {
    // In the background: the demo events are a nicety of the embedded mode, never a reason to start slower or fail.
    app.addHook('onReady', async () => {
      void seedDemoLogs(config, options.now?.() ?? Date.now(), app.log).catch((err: unknown) =>
        app.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'demo Kubernetes events not written'),
      );
    });
  }
  const controlPlane = config.hexabase.apiUrl
    ? new ControlPlaneClient({
        baseUrl: config.hexabase.apiUrl,
        timeoutMs: config.hexabase.timeoutMs,
        ...(config.hexabase.apiToken ? { internalToken: config.hexabase.apiToken } : {}),
      })
    : undefined;
  const tracing = await buildTracing(config, options.version);
  if (tracing) app.addHook('onClose', () => tracing.shutdown());
  const llm = buildChatLlm(config, {
    audit,
    metrics,
    ...(options.now ? { now: options.now } : {}),
    ...(tracing ? { tracing } : {}),
    ...(options.onLlmAttempt ? { onAttempt: options.onLlmAttempt } : {}),
  });
  return {
    verifier,
    audit,
    metrics,
    logs,
    ...(redis ? { redis } : {}),
    ...(postgres ? { postgres } : {}),
    ...(controlPlane ? { controlPlane } : {}),
    ...(llm ? { llm } : {}),
    ...(tracing ? { tracing } : {}),
  };
}
