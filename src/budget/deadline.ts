/**
 * A time budget as an AbortSignal that is certain to fire. Not `AbortSignal.timeout()` combined with
 * `AbortSignal.any()`: on Node 20 the timeout signal is then referenced only weakly (by its timer and
 * by the combined signal), the garbage collector may take it before it fires, and the budget silently
 * never ends the work — a request past its budget hung until the client gave up (found in CI; shown by
 * test/unit/budget/deadline.test.ts under `--expose-gc`). Here a plain timer holds the controller
 * strongly until it fires or is cleared. The reason is the same DOMException `TimeoutError` that
 * `AbortSignal.timeout()` gives, so `timedOut()` and `isTimeoutReason()` read it unchanged.
 */
export interface Deadline {
  /** Aborts when the budget runs out, or when `outer` (if given) aborts. */
  readonly signal: AbortSignal;
  /** True once the budget itself ran out (not `outer`). */
  expired(): boolean;
  /** Stops the timer; call it when the work ends so nothing waits out the budget. Idempotent. */
  clear(): void;
}

export function deadline(timeoutMs: number, outer?: AbortSignal): Deadline {
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  // The timer keeps the controller alive, not the process.
  timer.unref();
  return {
    signal: outer ? AbortSignal.any([outer, own.signal]) : own.signal,
    expired: () => own.signal.aborted,
    clear: () => clearTimeout(timer),
  };
}
