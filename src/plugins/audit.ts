/**
 * Records every authorization decision on a guarded route in the audit trail, durably, before the
 * request completes:
 *  - allowed: recorded from the guard's `onDecision`; the `preHandler` hook waits for the spool's
 *    fsync, so the handler never runs unaudited. If the spool refuses the event (full), the request
 *    fails with 503 `audit_unavailable` (fail closed: no action without its audit row).
 *  - denied (403): recorded the same way, attributed to the token's *verified* workspace (the path's
 *    workspace is kept in details); the response waits for the fsync (`onSend`).
 *  - 401: no verified identity, so it is stored with an empty user and workspace (only operators
 *    see it; never attributed to a workspace the caller named) and the source IP and reason.
 *    A flood is aggregated: the first 401 per (source IP, reason, minute) is its own row, the rest
 *    are counted into one row per minute (`details.count`), see src/audit/unauthenticated-aggregator.ts.
 *    These are refused above the spool's high-water mark, so a flood cannot fill it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthError } from '../auth/auth-error.js';
import type { AuditEventInput } from '../audit/event.js';
import { AuditUnavailableError } from '../audit/event.js';
import type { AuditPipeline } from '../audit/pipeline.js';
import { serviceUnavailable } from '../http/http-errors.js';
import { matchedRoute } from '../http/matched-route.js';
import { newTraceId } from '../audit/trace-id.js';
import type { AuthorizationDecision } from './auth-guard.js';

/** The request fields every audit event carries (handed to agents and tools with the AuthContext). */
export interface AuditRequestContext {
  source_ip: string;
  request_id: string;
  trace_id: string;
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/** A request without a (valid) W3C traceparent gets a trace id of its own, once. */
const startedTraces = new WeakMap<FastifyRequest, string>();

/**
 * The trace id is the caller's (W3C `traceparent`) or one the service starts for the request: its
 * audit rows carry it, and with Langfuse on the request's graph spans are in that very trace.
 */
export function auditRequestContext(request: FastifyRequest): AuditRequestContext {
  const tp = request.headers.traceparent;
  const m = typeof tp === 'string' ? TRACEPARENT.exec(tp.trim().toLowerCase()) : null;
  let traceId = m?.[1] && !/^0+$/.test(m[1]) ? m[1] : startedTraces.get(request);
  if (!traceId) {
    traceId = newTraceId();
    startedTraces.set(request, traceId);
  }
  return { source_ip: request.ip, request_id: request.id, trace_id: traceId };
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!.slice(0, 1024);

export interface AuditHooks {
  /** Pass to the auth guard as `onDecision`. */
  onDecision(decision: AuthorizationDecision, request: FastifyRequest): void;
}

const pending = new WeakMap<FastifyRequest, Promise<void>[]>();
const noFailure = (): undefined => undefined;
/** A logger that throws must not keep a callback hook from calling `done` (the request would hang). */
function logQuietly(log: () => void): void {
  try {
    log();
  } catch {
    // nothing more to do: the request is answered either way
  }
}

function track(request: FastifyRequest, p: Promise<void>): void {
  p.catch(() => {}); // awaited (and reported) by the hooks below
  const list = pending.get(request);
  if (list) list.push(p);
  else pending.set(request, [p]);
}

export function auditHooks(audit: Pick<AuditPipeline, 'record'>): AuditHooks {
  return {
    onDecision(decision, request) {
      const auth = decision.auth;
      const attributed = decision.reason === 'cross_workspace_read' ? decision.pathWorkspaceId! : auth.workspaceId;
      const event: AuditEventInput = {
        event_type: 'authorization',
        user_id: auth.sub,
        organization_id: auth.orgIds[0] ?? '',
        workspace_id: attributed,
        resource_id: pathOf(request),
        initiated_by: 'user',
        ...auditRequestContext(request),
        details: {
          allowed: decision.allowed,
          reason: decision.reason,
          scope: decision.scope,
          route: decision.route,
          method: decision.method,
          ...(decision.allowed ? {} : { status_code: 403 }),
          ...(decision.pathWorkspaceId !== undefined && decision.pathWorkspaceId !== attributed
            ? { path_workspace_id: decision.pathWorkspaceId.slice(0, 128) }
            : {}),
          token_type: auth.tokenType,
          ...(decision.reason === 'cross_workspace_read' ? { cross_workspace_from: auth.workspaceId } : {}),
        },
      };
      track(request, audit.record(event));
    },
  };
}

export interface AuditPluginOptions {
  audit: AuditPipeline;
}

export default fp<AuditPluginOptions>(
  async (app, { audit }) => {
    /** Waits for the request's audit events; resolves to the first failure, if any. */
    const settle = (request: FastifyRequest): Promise<unknown> => {
      const list = pending.get(request)!;
      pending.delete(request);
      if (list.length === 1) return list[0]!.then(noFailure, (err: unknown) => err); // the usual case: one decision
      return Promise.allSettled(list).then((results) => results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason);
    };

    // Callback hooks: they run on every request, and a public route has nothing to wait for.
    app.addHook('preHandler', (request, _reply, done) => {
      if (!pending.has(request)) return done();
      void settle(request).then((failure) => {
        if (!failure) return done();
        logQuietly(() => request.log.error({ err: (failure as Error).message }, 'audit event not recorded: refusing the request'));
        done(
          serviceUnavailable(
            'the audit trail cannot record this request right now; retry later',
            {
              reason: failure instanceof AuditUnavailableError ? `audit_${failure.reason}` : 'audit_unavailable',
            },
            5,
          ), // the spool opens again within about a second of ClickHouse answering
        );
      });
    });

    app.addHook('onError', async (request, _reply: FastifyReply, error) => {
      const route = matchedRoute(request);
      const rule = route.config.auth;
      if (!(error instanceof AuthError) || error.statusCode !== 401 || !rule || !('scope' in rule)) return;
      const named = (request.params as Record<string, unknown> | undefined)?.workspace_id;
      track(
        request,
        audit.recordUnauthenticated({
          event_type: 'authorization',
          workspace_id: '',
          resource_id: pathOf(request),
          initiated_by: 'user',
          ...auditRequestContext(request),
          details: {
            allowed: false,
            reason: error.reason,
            scope: rule.scope,
            route: route.url ?? pathOf(request),
            method: request.method,
            status_code: 401,
            ...(typeof named === 'string' ? { path_workspace_id: named.slice(0, 128) } : {}),
          },
        }),
      );
    });

    // Most requests have nothing left to wait for here (the preHandler settled them): no promise then.
    app.addHook('onSend', (request, _reply, payload, done) => {
      if (!pending.has(request)) return done(null, payload);
      void settle(request).then((failure) => {
        if (failure)
          logQuietly(() => request.log.warn({ err: (failure as Error).message }, 'audit event for a refused request not recorded'));
        done(null, payload);
      });
    });
  },
  { name: 'audit' },
);
