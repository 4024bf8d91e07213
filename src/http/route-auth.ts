/**
 * How a route declares its access rule, in one place: `config: { auth: requireScope('aiops:read') }`
 * or `config: { auth: PUBLIC }`. The auth plugin refuses to register a route that declares neither,
 * so a route added later without a scope fails at start-up (and in the route-walk test).
 * A guarded route's rule also names its route class, the rate limits it counts against
 * (src/plugins/rate-limits.ts): by default the one of its scope, e.g. `requireScope('aiops:read', 'chat')` otherwise.
 */
import type { AuthContext } from '../auth/auth-context.js';
import type { Permission } from '../auth/permissions.js';
import type { RouteClass } from '../limits/plan-limits.js';

export type RouteAuth =
  | { readonly public: true }
  | {
      readonly scope: Permission;
      readonly routeClass?: RouteClass;
      /**
       * Where the route names its workspace when not in the path (`/workspaces/:workspace_id/…`):
       * `query` reads `?workspace_id=`, which the guard then confines exactly like a path parameter.
       */
      readonly workspaceIn?: 'query';
    };

export const PUBLIC: RouteAuth = Object.freeze({ public: true });

/** An admin-only route would be an operation on the workspace: limited like remediation. */
const CLASS_OF_SCOPE: Record<Permission, RouteClass> = {
  'aiops:read': 'read',
  'aiops:analyze': 'analyze',
  'aiops:remediate': 'remediate',
  'aiops:admin': 'remediate',
};

export const requireScope = (scope: Permission, routeClass: RouteClass = CLASS_OF_SCOPE[scope], workspaceIn?: 'query'): RouteAuth =>
  Object.freeze({ scope, routeClass, ...(workspaceIn ? { workspaceIn } : {}) });

/** The route class of a guarded route's rule (a rule written by hand without one gets its scope's). */
export const routeClassOf = (rule: { scope: Permission; routeClass?: RouteClass }): RouteClass =>
  rule.routeClass ?? CLASS_OF_SCOPE[rule.scope];

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
