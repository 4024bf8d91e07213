/**
 * This instance is shutting down and takes no new analysis runs (agents/runs.ts `drain`). Mapped once
 * to 503 `shutting_down` by the HTTP error handler, with `Connection: close` so the client's retry
 * opens a new connection, which lands on another instance.
 */
export class RunsDraining extends Error {
  readonly reason = 'shutting_down';
  readonly retryAfterSeconds = 5;

  constructor() {
    super('this instance is shutting down and takes no new analysis runs: retry (another instance will take it)');
    this.name = 'RunsDraining';
  }
}
