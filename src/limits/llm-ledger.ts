/**
 * LLM usage per workspace per UTC day (tokens and cost), the ledger the daily LLM budget reads
 * before each model call and adds each call's real usage to. In Redis (one hash per workspace and
 * day, shared by every replica, expiring two days later); in process for the embedded mode.
 */
import type { Redis } from 'ioredis';
import { redisRunOf, type GuardedRedis, type RedisRun } from '../clients/redis.js';

export interface LlmSpend {
  tokens: number;
  usd: number;
}

export interface LlmUsageLedger {
  read(workspaceId: string, day: string): Promise<LlmSpend>;
  add(workspaceId: string, day: string, spend: LlmSpend): Promise<void>;
}

/** `YYYY-MM-DD` of a Unix ms time, in UTC. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The next UTC midnight after `ms` (when a day's budget starts afresh), Unix ms. */
export const nextUtcMidnight = (ms: number) => (Math.floor(ms / 86_400_000) + 1) * 86_400_000;

// Cost is counted in micro-dollars so the counter stays an integer (HINCRBY).
const MICRO = 1_000_000;
const KEEP_SECONDS = 2 * 86_400;

export class RedisLlmLedger implements LlmUsageLedger {
  private readonly run: RedisRun;

  constructor(
    redis: Redis | GuardedRedis,
    private readonly prefix: string,
  ) {
    this.run = redisRunOf(redis);
  }

  async read(workspaceId: string, day: string): Promise<LlmSpend> {
    const [tokens, micro] = await this.run((r) => r.hmget(this.key(workspaceId, day), 'tokens', 'micro_usd'));
    return { tokens: Number(tokens ?? 0), usd: Number(micro ?? 0) / MICRO };
  }

  async add(workspaceId: string, day: string, spend: LlmSpend): Promise<void> {
    const key = this.key(workspaceId, day);
    await this.run((r) =>
      r
        .multi()
        .hincrby(key, 'tokens', Math.round(spend.tokens))
        .hincrby(key, 'micro_usd', Math.round(spend.usd * MICRO))
        .expire(key, KEEP_SECONDS)
        .exec(),
    );
  }

  private key(workspaceId: string, day: string): string {
    return `${this.prefix}${workspaceId}:${day}`;
  }
}

export class MemoryLlmLedger implements LlmUsageLedger {
  private readonly spend = new Map<string, LlmSpend & { day: string }>();

  async read(workspaceId: string, day: string): Promise<LlmSpend> {
    const s = this.spend.get(workspaceId);
    return s?.day === day ? { tokens: s.tokens, usd: s.usd } : { tokens: 0, usd: 0 };
  }

  async add(workspaceId: string, day: string, spend: LlmSpend): Promise<void> {
    const s = this.spend.get(workspaceId);
    // Only the current day is kept per workspace: an older day is simply overwritten.
    const base = s?.day === day ? s : { day, tokens: 0, usd: 0 };
    this.spend.set(workspaceId, { day, tokens: base.tokens + spend.tokens, usd: base.usd + spend.usd });
  }
}
