/**
 * Part of the composition root: the app plugins every route runs through. Order matters: the guard
 * first (the others key on the verified identity and hook into its decisions), then the rate
 * limits, the audit trail of each request, security headers and CORS, and the OpenAPI document.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditPipeline } from '../audit/pipeline.js';
import { registerAuditMetrics } from '../audit/metrics.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { Config } from '../config.js';
import auditPlugin, { auditHooks } from '../plugins/audit.js';
import authGuard, { type AuthGuardOptions } from '../plugins/auth-guard.js';
import openapi from '../plugins/openapi.js';
import rateLimits, { type RateLimitsOptions } from '../plugins/rate-limits.js';
import security from '../plugins/security.js';

export async function registerPlugins(
  app: FastifyInstance,
  config: Config,
  deps: {
    verifier: TokenVerifier;
    audit: AuditPipeline;
    rateLimits: RateLimitsOptions;
    version: string;
    /** Also told each authorization decision (tests). */
    onAuthorizationDecision?: AuthGuardOptions['onDecision'];
  },
): Promise<void> {
  const audited = auditHooks(deps.audit);
  await app.register(authGuard, {
    verifier: deps.verifier,
    crossWorkspaceSubjects: config.jwt.crossWorkspaceSubjects,
    onDecision: (decision, request) => {
      audited.onDecision(decision, request);
      deps.onAuthorizationDecision?.(decision, request);
    },
  });
  await app.register(rateLimits, deps.rateLimits); // after the guard: keys on the verified workspace and subject
  await app.register(auditPlugin, { audit: deps.audit });
  registerAuditMetrics(app.metrics.registry, deps.audit.status);
  await app.register(security, { corsOrigins: config.http.corsOrigins });
  await app.register(openapi, { version: deps.version });
}
