/**
 * Why a piece of work was stopped. Analyses, chat turns and the routes that analyse inline run under
 * an AbortSignal that fires when their time budget runs out (deadline.ts: the reason is a
 * DOMException named TimeoutError) or when their client goes away (reason ClientGone). Everything
 * that reports a stop says which of the two it was through these helpers.
 */

/** The HTTP client disconnected before its answer was complete. */
export class ClientGone extends Error {
  constructor() {
    super('the client went away');
    this.name = 'ClientGone';
  }
}

export function isTimeoutReason(reason: unknown): boolean {
  return (reason as { name?: unknown } | null | undefined)?.name === 'TimeoutError';
}

/** A signal that fired because its time budget ran out. */
export function timedOut(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && isTimeoutReason(signal.reason);
}

export function abortReasonText(reason: unknown): string {
  if (isTimeoutReason(reason)) return 'its time budget ran out';
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}
