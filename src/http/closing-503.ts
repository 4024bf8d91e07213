/**
 * Once the server is closing (SIGTERM), a request that still arrives on an open keep-alive
 * connection is answered 503 `shutting_down` with `Retry-After` and `Connection: close`: the caller
 * (or the load balancer) retries on another replica, and the connection does not hold the shutdown
 * up. Fastify's own answer (`return503OnClosing`) has no `Retry-After` and no reason, so a client
 * could not tell it from a failure it should not retry; the app turns that option off and uses this.
 */
import type { FastifyInstance } from 'fastify';
import { errorBody } from './error-handler.js';

export function answer503WhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook, not an async one: it runs on every request and almost always has nothing to do.
  app.addHook('onRequest', (request, reply, done) => {
    if (!closing) return done();
    reply.header('Connection', 'close').header('Retry-After', '5'); // as for a new run refused while draining (RunsDraining)
    reply
      .code(503)
      .send(errorBody(request, 503, 'this instance is shutting down; retry (another instance answers)', { reason: 'shutting_down' }));
  });
}
