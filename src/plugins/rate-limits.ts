/**
 * Request rates per workspace and per user, by route class, on every guarded route. It runs after
 * the auth guard (`preParsing`, before the body is read) and keys on the *verified* workspace and
 * subject, so a request without a valid token never reaches it and cannot spend a workspace's budget.
 * The counters are @fastify/rate-limit's fixed one-minute windows, in Redis when configured (shared
 * by every replica; a Redis failure lets requests through) and in process otherwise. The user's own
 * limit is checked first, so one noisy user is stopped before they drain the workspace's budget.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import rateLimit, { type CreateRateLimitOptions, type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { routeClassOf } from '../http/route-auth.js';
import { matchedRoute } from '../http/matched-route.js';
import { LimitExceededError } from '../limits/limit-exceeded.js';
import { rateLimitName, type PlanLimits, type PlanType, type RouteClass } from '../limits/plan-limits.js';
import type { CountRefusal } from '../limits/refusals.js';

export interface RateLimitsOptions {
  redis?: Redis;
  /**
   * False while Redis is known to be down (disconnected or its circuit breaker open): the limits are
   * skipped at once, as a Redis error would skip them, instead of each request waiting on a dead connection.
   */
  redisUsable?: () => boolean;
  /** Prefix of the Redis keys (`<prefix>rate:workspace:…`, `<prefix>rate:user:…`). */
  keyPrefix: string;
  limitsFor: (plan: PlanType) => PlanLimits;
  countRefusal: CountRefusal;
}

type Scope = 'user' | 'workspace';
type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

const WINDOW_MS = 60_000;

type Subject = { routeClass: RouteClass; workspaceId: string; sub: string; plan: PlanType };
/** Asked five times per request (the hook, then each limiter's key and maximum): worked out once. */
const subjects = new WeakMap<FastifyRequest, Subject>();

/** The verified identity and route class of a guarded request (undefined on public routes). */
function subjectOf(request: FastifyRequest): Subject | undefined {
  if (!request.auth) return undefined;
  let subject = subjects.get(request);
  if (!subject) {
    const rule = matchedRoute(request).config.auth;
    if (!rule || !('scope' in rule)) return undefined;
    subject = { routeClass: routeClassOf(rule), workspaceId: request.auth.workspaceId, sub: request.auth.sub, plan: request.auth.planType };
    subjects.set(request, subject);
  }
  return subject;
}

/**
 * One limiter per scope, each from its own registration of the plugin (an encapsulated context), so
 * each has its own key namespace in Redis; the hook below runs them in order.
 */
async function limiterIn(app: FastifyInstance, settings: RateLimitPluginOptions & CreateRateLimitOptions): Promise<Limiter> {
  let limiter: Limiter | undefined;
  await app.register(async (scope) => {
    await scope.register(rateLimit, { global: false, ...settings });
    limiter = scope.createRateLimit();
  });
  return limiter!;
}

export default fp<RateLimitsOptions>(
  async (app, o) => {
    const limiters = {} as Record<Scope, Limiter>;
    for (const scope of ['user', 'workspace'] as const) {
      limiters[scope] = await limiterIn(app, {
        timeWindow: WINDOW_MS,
        skipOnError: true,
        ...(o.redis ? { redis: o.redis, nameSpace: `${o.keyPrefix}rate:${scope}:` } : {}),
        keyGenerator: (request) => {
          const s = subjectOf(request)!;
          return scope === 'user' ? `${s.routeClass}:${s.workspaceId}:${s.sub}` : `${s.routeClass}:${s.workspaceId}`;
        },
        max: (request) => {
          const s = subjectOf(request)!;
          return o.limitsFor(s.plan)[rateLimitName(s.routeClass, scope)];
        },
      });
    }

    app.addHook('preParsing', async (request) => {
      const s = subjectOf(request);
      if (!s || o.redisUsable?.() === false) return;
      for (const scope of ['user', 'workspace'] as const) {
        const outcome = await limiters[scope](request);
        if (outcome.isAllowed || !outcome.isExceeded) continue;
        const limit = rateLimitName(s.routeClass, scope);
        const retryAfter = Math.max(1, outcome.ttlInSeconds);
        o.countRefusal(s.routeClass, limit);
        const who = scope === 'user' ? 'from you in this workspace' : 'in this workspace';
        throw new LimitExceededError(
          'rate_limited',
          limit,
          retryAfter,
          `too many ${s.routeClass} requests ${who}: at most ${outcome.max} a minute on the ${s.plan} plan; retry in ${retryAfter} s`,
        );
      }
    });
  },
  { name: 'rate-limits', dependencies: ['auth-guard'] },
);
