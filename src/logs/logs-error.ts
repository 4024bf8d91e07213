/**
 * The one error type of the logs data layer. Every kind is a *gap* in the evidence, never a reason
 * to fail an analysis: the tools turn it into a `no_data` (the table is not there) or `error`
 * answer that says what could not be read, and messages never carry another tenant's data (the
 * query that failed was confined before it was sent).
 */
export type LogsErrorKind =
  | 'missing_table' // the table or database does not exist (the platform does not write it here)
  | 'schema_mismatch' // the table exists but lacks a column the query reads
  | 'unavailable' // the server cannot be reached (or the embedded engine cannot be opened)
  | 'timeout' // max_execution_time or the request timeout ran out
  | 'limit_exceeded' // a bound: window, rows, bytes read
  | 'invalid_query' // the builder refused the query (a programming error, or a value out of range)
  | 'query_failed'; // anything else the server refused

export class LogsError extends Error {
  constructor(
    readonly kind: LogsErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LogsError';
  }
}

/** ClickHouse error codes that name a kind (see ErrorCodes.cpp). */
const CODE_KINDS: Record<string, LogsErrorKind> = {
  '60': 'missing_table', // UNKNOWN_TABLE
  '81': 'missing_table', // UNKNOWN_DATABASE
  '47': 'schema_mismatch', // UNKNOWN_IDENTIFIER
  '16': 'schema_mismatch', // NO_SUCH_COLUMN_IN_TABLE
  '159': 'timeout', // TIMEOUT_EXCEEDED
  '158': 'limit_exceeded', // TOO_MANY_ROWS
  '307': 'limit_exceeded', // TOO_MANY_BYTES
  '396': 'limit_exceeded', // TOO_MANY_ROWS_OR_BYTES
};

/** Network failures of the HTTP client (the server is down, unreachable or reset the connection). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** Reads what went wrong from a client error, keeping only ClickHouse's first line (no stack, no query text). */
export function logsErrorFrom(err: unknown, table: string): LogsError {
  if (err instanceof LogsError) return err;
  const e = err as { code?: unknown; type?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code = typeof e?.code === 'string' || typeof e?.code === 'number' ? String(e.code) : undefined;
  const message = typeof e?.message === 'string' ? (e.message.split('\n')[0] ?? '').slice(0, 300) : 'unknown error';
  const kind = code !== undefined ? CODE_KINDS[code] : undefined;
  if (kind === 'missing_table') return new LogsError(kind, `table ${table} does not exist`, { table });
  if (kind) return new LogsError(kind, `${table}: ${message}`, { table, clickhouse_code: code });
  const networkCode = [code, typeof e?.cause?.code === 'string' ? e.cause.code : undefined].find((c) => c && NETWORK_CODES.has(c));
  if (networkCode || /timeout|socket hang up|ECONNREFUSED/i.test(message))
    return new LogsError(
      /timeout/i.test(message) ? 'timeout' : 'unavailable',
      `the logs store is unreachable (${networkCode ?? message})`,
      {
        table,
      },
    );
  if (e?.type !== undefined) return new LogsError('query_failed', `${table}: ${message}`, { table, clickhouse_code: code });
  return new LogsError('unavailable', `the logs store failed: ${message}`, { table });
}
