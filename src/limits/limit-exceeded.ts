/**
 * A request refused by a limit. The one error handler turns it into 429 with `Retry-After` and
 * `{reason, limit, retry_after_seconds}` in the body; whoever throws it has counted the refusal.
 */
import type { PlanLimitName } from './plan-limits.js';

/** Plan limits plus the one that is not per plan (this replica's own capacity). */
export type LimitName = PlanLimitName | 'concurrent_analyses_per_replica';

export class LimitExceededError extends Error {
  constructor(
    /** `rate_limited`: too many requests in the window; `limit_exceeded`: too many at once. */
    readonly reason: 'rate_limited' | 'limit_exceeded',
    readonly limit: LimitName,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
    this.name = 'LimitExceededError';
  }
}
