/**
 * The one error for "a store or cache this request needs is down": thrown by stores, caches and
 * locks (library level, no HTTP), mapped once to 503 + `Retry-After` by the HTTP error handler
 * (src/http/error-table.ts). It means "try again later", never "it does not exist" and
 * never "we have a bug", so a poller keeps polling and nothing logs a stack for an outage.
 */

/** What can be unavailable; each gives the stable `reason` `<dependency>_unavailable`. */
export type UnavailableDependency =
  | 'run_store' // analysis run checkpoints (PostgreSQL, or SQLite)
  | 'remediation_store' // remediation records (PostgreSQL)
  | 'chat_store' // chat thread index and checkpoints (PostgreSQL)
  | 'monitor_store' // stored alerts and incidents (PostgreSQL)
  | 'lock_store' // remediation target locks and execution budget (Redis)
  | 'audit_store' // the audit trail and insights as read back (ClickHouse)
  | 'metrics' // the metrics source (Prometheus), when nothing could be queried
  | 'redis'; // the shared Redis client itself (its circuit breaker), before a user names its store

export interface DependencyUnavailableOptions {
  /** The underlying failure: logged (one line, no stack), never sent to the caller. */
  cause?: unknown;
  /** For the caller; default "the <dependency> is unavailable; retry later". */
  message?: string;
  /** Seconds the caller should wait before retrying (`Retry-After`). */
  retryAfterSeconds?: number;
  /** Extra, safe-to-show fields for the response body (e.g. the `run_id` that was started). */
  details?: Record<string, unknown>;
  /** True when the failure was immediate because a circuit breaker is open (no call was made). */
  circuitOpen?: boolean;
}

export const DEFAULT_RETRY_AFTER_SECONDS = 10;

export class DependencyUnavailable extends Error {
  readonly reason: `${UnavailableDependency}_unavailable`;
  readonly retryAfterSeconds: number;
  readonly details: Record<string, unknown>;
  readonly circuitOpen: boolean;

  constructor(
    readonly dependency: UnavailableDependency,
    options: DependencyUnavailableOptions = {},
  ) {
    super(
      options.message ?? `the ${dependency.replace('_', ' ')} is unavailable; retry later`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'DependencyUnavailable';
    this.reason = `${dependency}_unavailable`;
    this.retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    this.details = options.details ?? {};
    this.circuitOpen = options.circuitOpen ?? false;
  }

  /** The cause as one short line (for logs and readiness), never a stack. */
  causeLine(): string {
    return shortCause(this.cause);
  }
}

/** One line naming a failure: an error code when there is one, else the first line of its message. */
export function shortCause(err: unknown): string {
  if (err === undefined) return 'unknown';
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  const line = message.split('\n')[0]!.slice(0, 200);
  return code && !line.includes(code) ? `${code}: ${line}` : line;
}
