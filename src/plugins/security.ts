/**
 * Security headers on every response, and CORS only when origins are configured.
 *
 * The headers are helmet's (the maintained source of what they should be), computed once at start:
 * @fastify/helmet runs helmet's middleware again on every request (re-parsing the CSP directives and
 * setting each header through Node's checks), which cost about as much as a whole stored-alerts read.
 * Our configuration is the same for every route (no per-route options, no CSP nonces), so the result
 * is a constant object set with one `reply.headers()` call; a route that needs another CSP (the
 * console's) sets it afterwards, as before.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

// No upgrade-insecure-requests: the service is often reached over plain HTTP inside the cluster (/docs must still load).
const HELMET_OPTIONS: HelmetOptions = {
  hsts: { maxAge: 31_536_000, includeSubDomains: true },
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
};

/** The headers helmet's middleware sets for `options`, collected from one run against a recording response. */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => (failed = err));
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  return headers;
}

export default fp<{ corsOrigins: readonly string[] }>(
  async (app, options) => {
    const headers = helmetHeaders(HELMET_OPTIONS);
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
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
