/**
 * Part of the composition root: builds the metrics data layer from the configuration. A real
 * Prometheus with a Redis cache (or an in-process LRU) when PROMETHEUS_URL is set; otherwise the
 * embedded demo workspaces of the scenario generator.
 */
import type { GuardedRedis } from '../clients/redis.js';
import { Counter, type Registry } from 'prom-client';
import { PrometheusClient } from '../clients/prometheus.js';
import type { Config } from '../config.js';
import { EmbeddedMetricsSource } from '../metrics/embedded/embedded-source.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { PrometheusMetricsSource } from '../metrics/prometheus-source.js';
import { cacheFailureToLog, LruQueryCache, RedisQueryCache } from '../metrics/query-cache.js';
import { demoWorkspaces } from '../metrics/scenarios/index.js';

export function buildMetricsSource(
  config: Config,
  deps: { redis?: GuardedRedis; registry: Registry; warn: (msg: string) => void },
): MetricsSource {
  const bounds = config.metrics.limits;
  if (!config.prometheusUrl)
    return new EmbeddedMetricsSource({ workspaces: demoWorkspaces(), tenantLabel: config.metrics.tenantLabel, bounds });
  const cacheOutcomes = new Counter({
    name: 'aiops_metrics_cache_total',
    help: 'Metrics query cache lookups by outcome (error = cache unavailable, query went direct)',
    labelNames: ['outcome'] as const,
    registers: [deps.registry],
  });
  const cache = deps.redis
    ? new RedisQueryCache(deps.redis, (err) => {
        cacheOutcomes.inc({ outcome: 'error' });
        const line = cacheFailureToLog(err);
        if (line) deps.warn(`metrics cache unavailable, querying Prometheus directly: ${line}`);
      })
    : new LruQueryCache();
  return new PrometheusMetricsSource({
    client: new PrometheusClient({
      baseUrl: config.prometheusUrl,
      timeoutMs: config.metrics.timeoutMs,
      maxResponseBytes: bounds.maxResponseBytes,
    }),
    tenantLabel: config.metrics.tenantLabel,
    cache,
    cacheTtlSeconds: config.metrics.cacheTtlSeconds,
    onCache: (outcome) => cacheOutcomes.inc({ outcome }),
    bounds,
  });
}
