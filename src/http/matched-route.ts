/**
 * The matched route's URL template and config, read once per request. Fastify's `request.routeOptions`
 * is a getter that builds a fresh twelve-field object (and asks the router about version
 * constraints) on every access, and the guard, the rate limits, the audit and the metrics hooks each
 * need it, some several times per request.
 */
import type { FastifyContextConfig, FastifyRequest } from 'fastify';

export interface MatchedRoute {
  /** The route's template (`/workspaces/:workspace_id/alerts`); undefined when no route matched. */
  url: string | undefined;
  config: FastifyContextConfig;
}

const matched = new WeakMap<FastifyRequest, MatchedRoute>();

export function matchedRoute(request: FastifyRequest): MatchedRoute {
  let route = matched.get(request);
  if (!route) {
    const options = request.routeOptions;
    route = { url: options.url, config: options.config };
    matched.set(request, route);
  }
  return route;
}
