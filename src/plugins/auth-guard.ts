/**
 * The one guard for every non-public route. On each request it verifies the bearer token, confines
 * the request to the token's workspace (`:workspace_id` in the path must match, admin included;
 * only allow-listed internal subjects may *read* another workspace) and checks the route's scope.
 * At registration it refuses routes that declare no access rule, and `/workspaces/…` routes that
 * lack a `:workspace_id` parameter or a scope.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AuthContext } from '../auth/auth-context.js';
import { AuthError } from '../auth/auth-error.js';
import { extractBearerToken } from '../auth/bearer.js';
import { hasPermission, type Permission } from '../auth/permissions.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { badRequest, forbidden } from '../http/http-errors.js';
import { matchedRoute } from '../http/matched-route.js';
import { PUBLIC, type RouteAuth } from '../http/route-auth.js';

/** The docs UI's routes are registered by a third-party plugin and cannot carry our config. */
export const DOCS_PREFIX = '/docs';

export interface AuthorizationDecision {
  allowed: boolean;
  reason: 'allowed' | 'cross_workspace_read' | 'workspace_mismatch' | 'missing_scope';
  scope: Permission;
  route: string;
  method: string;
  auth: AuthContext;
  pathWorkspaceId?: string;
}

export interface AuthGuardOptions {
  verifier: TokenVerifier;
  crossWorkspaceSubjects: readonly string[];
  /** Called for every decision on a guarded route (the audit trail subscribes here). */
  onDecision?: (decision: AuthorizationDecision, request: FastifyRequest) => void;
}

export interface RouteEntry {
  method: string;
  url: string;
  auth: RouteAuth;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifies a token, counting failures by reason; the guard and /auth/validate share it. */
    verifyToken(token: string): Promise<AuthContext>;
    /** Every registered route with its access rule (the route-walk test and the docs read it). */
    routeCatalog: RouteEntry[];
  }
}

export default fp<AuthGuardOptions>(
  async (app, options) => {
    const crossReaders = new Set(options.crossWorkspaceSubjects);
    app.decorateRequest('auth', null);
    const catalog: RouteEntry[] = [];
    app.decorate('routeCatalog', catalog);
    app.decorate('verifyToken', async (token: string) => {
      try {
        return await options.verifier(token);
      } catch (err) {
        if (err instanceof AuthError) app.metrics.authFailures.inc({ reason: err.reason });
        throw err;
      }
    });

    app.addHook('onRoute', (route) => {
      route.config ??= {};
      const config = route.config as { auth?: RouteAuth };
      // CORS preflights carry no credentials by design, and the docs UI is public.
      if (!config.auth && (route.url.startsWith(DOCS_PREFIX) || route.method === 'OPTIONS')) config.auth = PUBLIC;
      if (!config.auth) throw new Error(`route ${String(route.method)} ${route.url} declares no auth rule (config.auth)`);
      if (route.url.startsWith('/workspaces')) {
        if (!('scope' in config.auth)) throw new Error(`workspace route ${route.url} must declare a scope`);
        if (!route.url.startsWith('/workspaces/:workspace_id'))
          throw new Error(`workspace route ${route.url} must start with /workspaces/:workspace_id`);
      }
      for (const method of [route.method].flat()) catalog.push({ method: String(method), url: route.url, auth: config.auth });
    });

    app.addHook('onRequest', async (request) => {
      const route = matchedRoute(request);
      const rule = route.config.auth;
      if (!rule || !('scope' in rule)) return;
      let token: string;
      try {
        token = extractBearerToken(request.headers.authorization, request.raw.rawHeaders);
      } catch (err) {
        if (err instanceof AuthError) app.metrics.authFailures.inc({ reason: err.reason });
        throw err;
      }
      const auth = await app.verifyToken(token);
      const pathWorkspaceId =
        rule.workspaceIn === 'query'
          ? queryWorkspaceId(request.query)
          : (request.params as Record<string, string | undefined>).workspace_id;
      const decision = decide(auth, rule.scope, pathWorkspaceId, crossReaders);
      const event: AuthorizationDecision = {
        ...decision,
        scope: rule.scope,
        route: route.url ?? request.url,
        method: request.method,
        auth,
        ...(pathWorkspaceId !== undefined ? { pathWorkspaceId } : {}),
      };
      options.onDecision?.(event, request);
      if (!decision.allowed) {
        app.metrics.authzDenials.inc({ reason: decision.reason });
        throw forbidden(decision.message, {
          reason: decision.reason,
          ...(decision.reason === 'missing_scope' ? { required_scope: rule.scope } : {}),
        });
      }
      request.auth =
        decision.reason === 'cross_workspace_read'
          ? { ...auth, workspaceId: pathWorkspaceId!, permissions: ['aiops:read'], crossWorkspaceFrom: auth.workspaceId }
          : auth;
    });
  },
  { name: 'auth-guard', dependencies: ['metrics'] },
);

type Decision =
  | { allowed: true; reason: 'allowed' | 'cross_workspace_read'; message?: undefined }
  | { allowed: false; reason: 'workspace_mismatch' | 'missing_scope'; message: string };

/**
 * `?workspace_id=` of a route that names its workspace there. Missing, it is the token's own (checked
 * again by the route's schema); given twice, the request is refused rather than one value picked.
 */
function queryWorkspaceId(query: unknown): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.workspace_id;
  if (value === undefined || typeof value === 'string') return value;
  throw badRequest('workspace_id must be given once', { reason: 'invalid_workspace_id' });
}

/** The pure authorization rule, separate from HTTP so it can be tested exhaustively. */
export function decide(
  auth: AuthContext,
  scope: Permission,
  pathWorkspaceId: string | undefined,
  crossReaders: ReadonlySet<string>,
): Decision {
  if (pathWorkspaceId !== undefined && pathWorkspaceId !== auth.workspaceId) {
    const mayReadAcross = crossReaders.has(auth.sub) && scope === 'aiops:read' && hasPermission(auth.permissions, 'aiops:read');
    if (!mayReadAcross) {
      return {
        allowed: false,
        reason: 'workspace_mismatch',
        message: `this token is for workspace "${auth.workspaceId}" and cannot access workspace "${pathWorkspaceId}"`,
      };
    }
    return { allowed: true, reason: 'cross_workspace_read' };
  }
  if (!hasPermission(auth.permissions, scope)) {
    return {
      allowed: false,
      reason: 'missing_scope',
      message: `this route requires the "${scope}" permission, which the token does not grant`,
    };
  }
  return { allowed: true, reason: 'allowed' };
}
