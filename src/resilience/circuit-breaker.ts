/**
 * A circuit breaker around one dependency (opossum): while the dependency keeps failing, calls fail
 * at once with DependencyUnavailable instead of each waiting for its own timeout, so an outage costs
 * a request one fast failure, not several timeouts in series. It opens after `failuresToOpen`
 * consecutive failures (opossum alone only looks at the share of failures in its rolling window, so
 * a busy minute of successes before the outage would keep it closed through many timeouts), or when
 * more than half of the calls in the window failed. After `resetTimeoutMs` one trial call goes
 * through (half-open); its success closes the breaker again, its failure re-opens it.
 *
 * Each call carries its own time bound (a cache lookup may wait 250 ms, taking a lock longer), so
 * opossum's single `timeout` is off and the action races the operation against the caller's bound.
 */
import CircuitBreaker from 'opossum';
import { DependencyUnavailable, type UnavailableDependency } from './dependency-unavailable.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** How long the breaker stays open before one trial call (default 1000 ms: recovery is noticed within about a second). */
  resetTimeoutMs?: number;
  /** Share of failed calls in the rolling window, in percent, above which it opens (default 50). */
  errorThresholdPercentage?: number;
  /** Consecutive failed calls that open it (default 3: a request or two that fail trip it). */
  failuresToOpen?: number;
  /** Fewest calls in the rolling window before the share of failures may open it (default 10). */
  volumeThreshold?: number;
  /** Length of the rolling window (default 5000 ms). */
  rollingWindowMs?: number;
  /** Bound of a call that names none (default 1000 ms). */
  timeoutMs?: number;
}

type Action = (op: () => Promise<unknown>, timeoutMs: number) => Promise<unknown>;

export class DependencyBreaker {
  private readonly breaker: CircuitBreaker<Parameters<Action>, unknown>;
  private readonly timeoutMs: number;
  private readonly listeners: ((state: BreakerState) => void)[] = [];
  /** Calls refused without being made because the breaker was open (monotonic). */
  rejected = 0;

  constructor(
    readonly dependency: UnavailableDependency,
    options: BreakerOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    const action: Action = (op, timeoutMs) => withTimeout(op(), timeoutMs);
    this.breaker = new CircuitBreaker(action, {
      name: dependency,
      timeout: false,
      resetTimeout: options.resetTimeoutMs ?? 1000,
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      volumeThreshold: options.volumeThreshold ?? 10,
      rollingCountTimeout: options.rollingWindowMs ?? 5000,
      rollingCountBuckets: 5,
    });
    this.breaker.on('reject', () => void (this.rejected += 1));
    const failuresToOpen = options.failuresToOpen ?? 3;
    let consecutiveFailures = 0;
    this.breaker.on('success', () => void (consecutiveFailures = 0));
    this.breaker.on('failure', () => {
      consecutiveFailures += 1;
      if (consecutiveFailures >= failuresToOpen && this.breaker.closed) this.breaker.open();
    });
    const tell = (state: BreakerState) => () => this.listeners.forEach((l) => l(state));
    this.breaker.on('open', tell('open'));
    this.breaker.on('halfOpen', tell('half_open'));
    this.breaker.on('close', tell('closed'));
  }

  /** Runs `op` through the breaker; rejects with DependencyUnavailable when it fails, times out or the breaker is open. */
  async call<T>(op: () => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    try {
      return (await this.breaker.fire(op, timeoutMs)) as T;
    } catch (err) {
      const circuitOpen = (err as { code?: string }).code === 'EOPENBREAKER';
      throw new DependencyUnavailable(this.dependency, { cause: err, circuitOpen });
    }
  }

  get state(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  /**
   * The dependency was seen answering again (its client reconnected): closes the breaker now instead of
   * at the next trial call, which could come up to `resetTimeoutMs` later (or fail because the client
   * had not reconnected yet, and open it for another period).
   */
  recovered(): void {
    if (!this.breaker.closed) this.breaker.close();
  }

  /** Told about every state change (the composition root logs them: one line per transition, not per call). */
  onStateChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  /** Stops the breaker's statistics timers. */
  shutdown(): void {
    this.breaker.shutdown();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
