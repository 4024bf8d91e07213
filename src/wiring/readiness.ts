/**
 * Part of the composition root: what /health/ready probes and /metrics reports of the dependencies:
 * the configured clients, the audit spool, Redis's circuit breaker, and whether this instance is
 * draining for shutdown.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { auditSpoolCheck } from '../health/audit-spool.js';
import { dependencyChecks } from '../health/dependency-checks.js';
import { DependencyMonitor, registerDependencyMetrics } from '../health/dependency-monitor.js';
import { registerBreakerMetrics } from '../resilience/metrics.js';
import type { Clients } from './clients.js';

export function readinessMonitor(
  app: FastifyInstance,
  config: Config,
  clients: Pick<Clients, 'redis' | 'postgres' | 'audit'>,
  runs: { readonly draining: boolean },
): DependencyMonitor {
  const { redis, postgres, audit } = clients;
  // A probe that finds ClickHouse answering wakes the audit shipper, so a full spool clears now, not after its backoff.
  const { checks, unconfigured } = dependencyChecks(config, { redis: redis?.client, postgres }, { onClickHouseUp: () => audit.retryNow() });
  checks.push(auditSpoolCheck(audit.status));
  // Draining for shutdown: the load balancer should stop sending new work here (runs are refused with 503).
  checks.push({
    name: 'instance',
    required: true,
    impact: 'this instance is shutting down: new analysis runs answer 503 shutting_down; send traffic to another instance',
    probe: async () => {
      if (runs.draining) throw new Error('shutting down');
    },
  });
  const monitor = new DependencyMonitor(checks, unconfigured);
  registerDependencyMetrics(app.metrics.registry, monitor);
  if (redis) registerBreakerMetrics(app.metrics.registry, [redis.breaker]);
  return monitor;
}
