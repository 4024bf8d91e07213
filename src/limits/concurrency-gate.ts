/**
 * Admission for long-running work (analyses, chat turns): a slot of the workspace's semaphore
 * (shared by every replica when Redis is configured) and, optionally, one of this replica's own
 * slots. The caller holds the slot for the work's whole life and releases it however the work ends.
 * Refusals are LimitExceededError (→ 429) and are counted. If the shared semaphore cannot be reached
 * the work is admitted (fail open, with a warning): this replica's own cap still bounds its load.
 */
import type { AuthContext } from '../auth/auth-context.js';
import { LimitExceededError, type LimitName } from './limit-exceeded.js';
import type { PlanLimits, PlanType, RouteClass } from './plan-limits.js';
import type { CountRefusal } from './refusals.js';
import type { Lease, Semaphore } from './semaphore.js';

export interface Slot {
  /** Gives the slot(s) back; idempotent, never throws. */
  release(): void;
}

export interface ConcurrencyGateOptions {
  routeClass: RouteClass;
  /** The per-workspace plan limit this gate enforces. */
  limit: 'concurrent_analyses' | 'concurrent_chat_turns';
  /** For messages: "analyses", "chat turns". */
  what: string;
  semaphore: Semaphore;
  limitsFor: (plan: PlanType) => PlanLimits;
  /** This replica's own cap, whatever the workspaces. */
  perReplica?: { max: number; limit: LimitName };
  retryAfterSeconds: number;
  countRefusal: CountRefusal;
  warn?: (msg: string) => void;
}

export class ConcurrencyGate {
  private running = 0;

  constructor(private readonly options: ConcurrencyGateOptions) {}

  /** Takes a slot for `auth`'s workspace, or throws LimitExceededError. */
  async admit(auth: AuthContext): Promise<Slot> {
    const o = this.options;
    this.refuseIfReplicaFull();
    const max = o.limitsFor(auth.planType)[o.limit];
    let lease: Lease | undefined;
    try {
      lease = await o.semaphore.tryAcquire(auth.workspaceId, max);
    } catch (err) {
      o.warn?.(`${o.what} semaphore unavailable, admitting without the workspace limit: ${(err as Error).message}`);
      lease = { release: async () => undefined };
    }
    if (!lease)
      this.refuse(
        o.limit,
        `this workspace is already running ${max} ${o.what} at once (the most its ${auth.planType} plan allows); try again when one finishes`,
      );
    const held = lease;
    const giveBack = () =>
      held.release().catch((err: Error) => o.warn?.(`could not release a ${o.what} slot (its lease will expire): ${err.message}`));
    // Checked again, with the increment in the same synchronous step: admissions that were waiting on
    // the semaphore together cannot push this replica past its cap (nor count as "full" before they run).
    try {
      this.refuseIfReplicaFull();
    } catch (err) {
      void giveBack();
      throw err;
    }
    this.running++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        void giveBack();
      },
    };
  }

  private refuseIfReplicaFull(): void {
    const cap = this.options.perReplica;
    if (cap && this.running >= cap.max)
      this.refuse(cap.limit, `this service instance is already running ${cap.max} ${this.options.what}; try again shortly`);
  }

  private refuse(limit: LimitName, message: string): never {
    this.options.countRefusal(this.options.routeClass, limit);
    throw new LimitExceededError('limit_exceeded', limit, this.options.retryAfterSeconds, message);
  }
}
