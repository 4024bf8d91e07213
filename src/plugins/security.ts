/** Security headers on every response, and CORS only when origins are configured. */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

export default fp<{ corsOrigins: readonly string[] }>(
  async (app, options) => {
    // No upgrade-insecure-requests: the service is often reached over plain HTTP inside the cluster (/docs must still load).
    await app.register(helmet, {
      global: true,
      hsts: { maxAge: 31_536_000, includeSubDomains: true },
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    });
    if (options.corsOrigins.length > 0) {
      await app.register(cors, {
        origin: [...options.corsOrigins],
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id'],
        maxAge: 600,
      });
    }
  },
  { name: 'security' },
);
