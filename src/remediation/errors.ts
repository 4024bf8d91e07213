/**
 * A refusal of the remediation service, with the stable `reason` the routes and the chat report.
 * It says what kind of refusal it is, not how HTTP shows it: the one HTTP error table
 * (src/http/error-table.ts) gives each kind its status.
 */
export type RemediationRefusal =
  | 'invalid' // the request or one of its actions is not valid
  | 'denied' // the caller may not do this (scope, four-eyes, an approval waiver)
  | 'not_found' // no such remediation in this workspace
  | 'conflict' // the remediation is not in a state that allows it, or its target is locked
  | 'limited'; // a limit: pending remediations, proposals per remediation, executions per hour

export class RemediationError extends Error {
  constructor(
    readonly kind: RemediationRefusal,
    readonly reason: string,
    message: string,
    /** Extra, safe-to-show fields for the caller (e.g. `problems`, `limit`, `status`). */
    readonly details: Record<string, unknown> = {},
    /** When a limit frees up again, if known (`Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'RemediationError';
  }
}
