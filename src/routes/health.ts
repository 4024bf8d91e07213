/** Liveness (always cheap, no I/O) and readiness (probes every configured dependency). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DependencyMonitor } from '../health/dependency-monitor.js';
import { PUBLIC } from '../http/route-auth.js';

const DependencyStatusSchema = z.object({
  name: z.string(),
  status: z.enum(['ok', 'down', 'not_configured']),
  required: z.boolean(),
  latency_ms: z.number().optional(),
  error: z.string().optional(),
  impact: z.string().optional().describe('What is affected while this dependency is down'),
});
const ReadinessSchema = z.object({ status: z.enum(['ready', 'degraded', 'not_ready']), dependencies: z.array(DependencyStatusSchema) });

export interface HealthRouteOptions {
  /** Probes the configured dependencies (shared with the /metrics gauges). */
  monitor: DependencyMonitor;
  version: string;
}

const healthRoutes: FastifyPluginAsyncZod<HealthRouteOptions> = async (app, options) => {
  app.get(
    '/health',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up and serving',
        response: { 200: z.object({ status: z.literal('ok'), version: z.string(), uptime_seconds: z.number() }) },
      },
    },
    async () => ({ status: 'ok' as const, version: options.version, uptime_seconds: Math.round(process.uptime()) }),
  );

  app.get(
    '/health/ready',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['health'],
        summary:
          'Readiness: every configured dependency and what its outage affects; 503 only when this replica cannot serve its core routes',
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (_request, reply) => {
      const report = await options.monitor.report();
      return reply.code(report.status === 'not_ready' ? 503 : 200).send(report);
    },
  );
};

export default healthRoutes;
