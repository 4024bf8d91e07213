/**
 * Prometheus metrics for the service itself: prom-client's defaults, an HTTP duration histogram by
 * route template and status, and auth failures by reason. One registry per app instance (tests
 * build several apps in one process). Other plugins add their metrics to `app.metrics.registry`.
 */
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AUTH_FAILURE_REASONS } from '../auth/auth-error.js';
import { matchedRoute } from '../http/matched-route.js';
import { PUBLIC } from '../http/route-auth.js';

export interface ServiceMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  authFailures: Counter<'reason'>;
  authzDenials: Counter<'reason'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

export default fp(
  async (app) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    const authFailures = new Counter({
      name: 'aiops_auth_failures_total',
      help: 'Rejected bearer tokens by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    for (const reason of AUTH_FAILURE_REASONS) authFailures.inc({ reason }, 0); // export zeros so rate() works from the start
    const authzDenials = new Counter({
      name: 'aiops_authorization_denials_total',
      help: 'Valid tokens refused on a workspace route (workspace mismatch or missing scope)',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    app.decorate('metrics', { registry, httpDuration, authFailures, authzDenials });

    app.addHook('onResponse', (request, reply, done) => {
      const route = matchedRoute(request).url ?? 'unmatched';
      httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });

    app.get('/metrics', { config: { auth: PUBLIC }, schema: { hide: true } }, async (_request, reply) => {
      reply.header('Content-Type', registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics' },
);
