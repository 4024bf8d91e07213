/**
 * How a route declares its access rule, in one place: `config: { auth: { scope: 'aiops:read' } }`
 * or `config: { auth: PUBLIC }`. The auth plugin refuses to register a route that declares neither,
 * so a route added later without a scope fails at start-up (and in the route-walk test).
 */
import type { AuthContext } from '../auth/auth-context.js';
import type { Permission } from '../auth/permissions.js';

export type RouteAuth = { readonly public: true } | { readonly scope: Permission };

export const PUBLIC: RouteAuth = Object.freeze({ public: true });

export const requireScope = (scope: Permission): RouteAuth => Object.freeze({ scope });

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The verified identity; set by the auth guard on every non-public route, null on public ones. */
    auth: AuthContext | null;
  }
}

/** The verified identity of a guarded route's request (throws if used on a public route: a programming error). */
export function authOf(request: { auth: AuthContext | null }): AuthContext {
  if (!request.auth) throw new Error('authOf() called on a route without an auth guard');
  return request.auth;
}
