/**
 * Part of the composition root: the per-workspace limits from the configuration. Request rates
 * (the rate-limits plugin), concurrent analyses and chat turns (semaphores), and the daily LLM
 * budget (a ledger around the LLM layer), all by the workspace's plan and shared through Redis when
 * REDIS_URL is set (in process otherwise: the embedded, single-replica mode).
 */
import type { GuardedRedis } from '../clients/redis.js';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import { ConcurrencyGate } from '../limits/concurrency-gate.js';
import { MemoryLlmLedger, RedisLlmLedger } from '../limits/llm-ledger.js';
import type { PlanLimits, PlanType } from '../limits/plan-limits.js';
import { limitRefusalsCounter } from '../limits/refusals.js';
import { MemorySemaphore, RedisSemaphore, type Semaphore } from '../limits/semaphore.js';
import { withDailyBudget } from '../llm/daily-budget.js';
import type { ChatLlm } from '../llm/types.js';
import type { RateLimitsOptions } from '../plugins/rate-limits.js';

export const DEFAULT_LIMITS_KEY_PREFIX = 'aiops:limits:';

export interface Limits {
  /** Options of the rate-limits plugin (src/plugins/rate-limits.ts). */
  rateLimits: RateLimitsOptions;
  /** Concurrent analyses: per workspace (by plan) and per replica. */
  analyses: ConcurrencyGate;
  /** Concurrent chat turns per workspace (by plan). */
  chatTurns: ConcurrencyGate;
  /** The LLM layer with the daily budget of each call's workspace in front of it. */
  budgeted(llm: ChatLlm): ChatLlm;
}

export function buildLimits(
  config: Config,
  deps: { redis?: GuardedRedis; registry: Registry; keyPrefix?: string; warn?: (msg: string) => void },
): Limits {
  const prefix = deps.keyPrefix ?? DEFAULT_LIMITS_KEY_PREFIX;
  const limitsFor = (plan: PlanType): PlanLimits => config.limits.plans[plan];
  const countRefusal = limitRefusalsCounter(deps.registry);
  const semaphore = (name: string): Semaphore =>
    deps.redis
      ? new RedisSemaphore(deps.redis, {
          prefix: `${prefix}concurrency:${name}:`,
          onError: (err) => deps.warn?.(`${name} lease not renewed: ${err.message}`),
        })
      : new MemorySemaphore();
  const ledger = deps.redis ? new RedisLlmLedger(deps.redis, `${prefix}llm:`) : new MemoryLlmLedger();
  return {
    rateLimits: {
      ...(deps.redis ? { redis: deps.redis.client, redisUsable: () => deps.redis!.usable() } : {}),
      keyPrefix: prefix,
      limitsFor,
      countRefusal,
    },
    analyses: new ConcurrencyGate({
      routeClass: 'analyze',
      limit: 'concurrent_analyses',
      what: 'analyses',
      semaphore: semaphore('analyses'),
      limitsFor,
      perReplica: { max: config.limits.analysesPerReplica, limit: 'concurrent_analyses_per_replica' },
      retryAfterSeconds: 10,
      countRefusal,
      ...(deps.warn ? { warn: deps.warn } : {}),
    }),
    chatTurns: new ConcurrencyGate({
      routeClass: 'chat',
      limit: 'concurrent_chat_turns',
      what: 'chat turns',
      semaphore: semaphore('chat'),
      limitsFor,
      retryAfterSeconds: 5,
      countRefusal,
      ...(deps.warn ? { warn: deps.warn } : {}),
    }),
    budgeted: (llm) =>
      withDailyBudget(llm, {
        ledger,
        limitsFor,
        onExhausted: (call, limit) => countRefusal(call.operation === 'chat' ? 'chat' : 'analyze', limit),
        ...(deps.warn ? { warn: deps.warn } : {}),
      }),
  };
}
