/**
 * The one door of every logs query. It takes the caller's verified AuthContext and a query spec
 * whose expressions are fixed code (tables.ts, the source), and returns SQL in which:
 *  - the workspace predicate comes first and is always there, its value the AuthContext's
 *    workspace (never a field of the spec);
 *  - every value the user gave (filters, window, limit) is a ClickHouse query parameter
 *    (`{name:Type}`), so no quote, backslash or comment in it can change the SQL;
 *  - filters name a field of the table spec, never a column: an unknown field is refused;
 *  - the bounds hold: the window is at most `maxWindowMs`, the rows at most `maxRows`, and the
 *    query carries `max_execution_time`, `max_result_rows` and `max_bytes_to_read` in its own
 *    SETTINGS clause (per query: chDB would keep `clickhouse_settings` for the whole session,
 *    which the audit shares).
 */
import type { AuthContext } from '../auth/auth-context.js';
import { LogsError } from './logs-error.js';
import type { LogsBounds, LogsWindow } from './logs-source.js';
import type { TableSpec } from './tables.js';

export type Filter =
  | { field: string; op: 'eq'; value: string }
  /** Case-insensitive substring. */
  | { field: string; op: 'contains'; value: string }
  | { field: string; op: 'gte'; value: number }
  | { field: string; op: 'gte_float'; value: number }
  /** One of the values, case-insensitive. */
  | { field: string; op: 'in'; value: readonly string[] };

export interface LogsQuerySpec {
  table: TableSpec;
  /** Output alias → expression (fixed code). */
  select: Readonly<Record<string, string>>;
  filters: readonly Filter[];
  window: LogsWindow;
  /** Expressions or aliases (fixed code). */
  groupBy?: readonly string[];
  /** Fixed code, e.g. `last_seen DESC`. */
  orderBy: string;
  limit: number;
}

export interface BuiltQuery {
  sql: string;
  params: Record<string, string | number>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Longest filter value: enough for any Kubernetes name or search phrase. */
export const MAX_FILTER_CHARS = 1024;

function refuse(message: string, details: Record<string, unknown> = {}): never {
  throw new LogsError('invalid_query', message, details);
}

function checkBounds(spec: LogsQuerySpec, bounds: LogsBounds): void {
  const { fromMs, toMs } = spec.window;
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || fromMs < 0 || fromMs >= toMs)
    refuse('the window must be whole Unix milliseconds with from before to');
  if (toMs - fromMs > bounds.maxWindowMs)
    throw new LogsError('limit_exceeded', `the window is longer than ${bounds.maxWindowMs / 3_600_000} h`, {
      limit: 'window',
      max_ms: bounds.maxWindowMs,
    });
  if (!Number.isSafeInteger(spec.limit) || spec.limit < 1) refuse('the row limit must be a positive integer');
  if (spec.limit > bounds.maxRows)
    throw new LogsError('limit_exceeded', `at most ${bounds.maxRows} rows per query`, { limit: 'rows', max: bounds.maxRows });
}

/** One filter as SQL over its parameter; the column expression comes from the table spec. */
function filterSql(table: TableSpec, filter: Filter, param: string, params: BuiltQuery['params']): string {
  if (!Object.hasOwn(table.fields, filter.field)) refuse(`${table.name} has no filter field ${JSON.stringify(filter.field)}`);
  const column = table.fields[filter.field]!;
  if (filter.op === 'gte') {
    if (!Number.isSafeInteger(filter.value) || Math.abs(filter.value) > 2 ** 31 - 1) refuse(`${filter.field} must be a 32-bit integer`);
    params[param] = filter.value;
    return `(${column}) >= {${param}:Int32}`;
  }
  if (filter.op === 'gte_float') {
    if (typeof filter.value !== 'number' || !Number.isFinite(filter.value)) refuse(`${filter.field} must be a finite number`);
    params[param] = filter.value;
    // Float32: the platform's risk_score is Float32, and a stored 0.7 is 0.699999988 in Float64, so a
    // Float64 comparison would miss the boundary the user asked for (found by the logtools helper).
    return `(${column}) >= {${param}:Float32}`;
  }
  if (filter.op === 'in') {
    if (!Array.isArray(filter.value) || filter.value.length === 0 || filter.value.length > 20)
      refuse(`${filter.field} must be a list of 1 to 20 values`);
    const names = filter.value.map((v, i) => {
      if (typeof v !== 'string' || v.length > MAX_FILTER_CHARS)
        refuse(`${filter.field} values must be strings of at most ${MAX_FILTER_CHARS} characters`);
      params[`${param}_${i}`] = v;
      return `{${param}_${i}:String}`;
    });
    // Case-insensitive: the platform writes results as it likes (failure, FAILED, denied).
    return `lower(${column}) IN (${names.map((n) => `lower(${n})`).join(', ')})`;
  }
  if (typeof filter.value !== 'string' || filter.value.length > MAX_FILTER_CHARS)
    refuse(`${filter.field} must be a string of at most ${MAX_FILTER_CHARS} characters`);
  params[param] = filter.value;
  return filter.op === 'eq' ? `(${column}) = {${param}:String}` : `positionCaseInsensitiveUTF8(${column}, {${param}:String}) > 0`;
}

export function buildConfinedQuery(auth: AuthContext, database: string, spec: LogsQuerySpec, bounds: LogsBounds): BuiltQuery {
  const workspace = auth.workspaceId;
  if (typeof workspace !== 'string' || workspace === '') refuse('no workspace to confine the query to');
  if (!IDENTIFIER.test(database) || !IDENTIFIER.test(spec.table.name)) refuse('database and table must be plain identifiers');
  checkBounds(spec, bounds);
  const params: BuiltQuery['params'] = {
    tenant: workspace,
    from_ms: spec.window.fromMs,
    to_ms: spec.window.toMs,
    row_limit: spec.limit,
  };
  if (spec.table.tenantKey !== undefined) params.tenant_key = spec.table.tenantKey;
  const columns = Object.entries(spec.select).map(([alias, expr]) => {
    if (!IDENTIFIER.test(alias)) refuse(`bad output alias ${JSON.stringify(alias)}`);
    return `${expr} AS ${alias}`;
  });
  const where = [
    `(${spec.table.tenant}) = {tenant:String}`,
    `${spec.table.time} >= fromUnixTimestamp64Milli({from_ms:Int64})`,
    `${spec.table.time} < fromUnixTimestamp64Milli({to_ms:Int64})`,
    ...spec.filters.map((f, i) => filterSql(spec.table, f, `f${i}`, params)),
  ];
  const settings = [
    `max_execution_time = ${Math.max(1, Math.floor(bounds.maxExecutionSeconds))}`,
    `max_result_rows = ${bounds.maxRows}`,
    `result_overflow_mode = 'throw'`,
    `max_bytes_to_read = ${Math.max(1, Math.floor(bounds.maxBytesToRead))}`,
    `read_overflow_mode = 'throw'`,
  ];
  const sql = [
    `SELECT ${columns.join(', ')}`,
    `FROM ${database}.${spec.table.name}`,
    `WHERE ${where.join('\n  AND ')}`,
    ...(spec.groupBy?.length ? [`GROUP BY ${spec.groupBy.join(', ')}`] : []),
    `ORDER BY ${spec.orderBy}`,
    `LIMIT {row_limit:UInt32}`,
    `SETTINGS ${settings.join(', ')}`,
  ].join('\n');
  return { sql, params };
}
