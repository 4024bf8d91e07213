/**
 * LogsSource on ClickHouse (a server, or the embedded chDB the audit already opened: the
 * composition root hands in `connect`, which joins the same per-process client). Every query is
 * built by buildConfinedQuery; this file only chooses the fixed columns, filters and order, runs
 * the query and reads the rows. Failures become LogsError (a gap the tools state).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AuthContext } from '../auth/auth-context.js';
import { LogsError, logsErrorFrom } from './logs-error.js';
import {
  DEFAULT_LOGS_BOUNDS,
  FAILED_RESULTS,
  LOG_BODY_MAX_CHARS,
  type SecurityEventRow,
  type SecurityGroup,
  type SecurityGroupKey,
  type SecurityQuery,
  type EventGroup,
  type EventQuery,
  type LogLine,
  type LogQuery,
  type LogsBounds,
  type LogsSource,
} from './logs-source.js';
import { buildConfinedQuery, type Filter, type LogsQuerySpec } from './query-builder.js';
import { K8S_EVENTS, OTEL_K8S, OTEL_SEVERITY, otelLogsTable, SECURITY_EVENTS, type TableSpec } from './tables.js';

export interface LogsConnection {
  client: ClickHouseClient;
  /** Where it is, without credentials. */
  location: string;
  release(): Promise<void>;
}

export interface ClickHouseLogsOptions {
  /** Database of the platform's tables (LOGS_DATABASE). */
  database: string;
  /** The resource attribute naming the workspace on `otel_logs` rows (LOGS_TENANT_ATTRIBUTE). */
  tenantAttribute: string;
  bounds?: Partial<LogsBounds>;
  /** Opens (or joins) the client on first use; a failure is retried on the next query. */
  connect(): Promise<LogsConnection>;
  /** Shown before the first connection. */
  location: string;
}

/** The security filters the caller set, each through the builder's parameters. */
function securityFilters(q: SecurityQuery): Filter[] {
  const filters = equalities({ event_type: q.eventType, user_id: q.userId, source_ip: q.sourceIp });
  if (q.failedOnly) filters.push({ field: 'result', op: 'in', value: FAILED_RESULTS });
  if (q.minRisk !== undefined) filters.push({ field: 'risk', op: 'gte_float', value: q.minRisk });
  return filters;
}

/** Equality filters for the fields the caller set (undefined: no filter). */
function equalities(values: Record<string, string | undefined>): Filter[] {
  return Object.entries(values)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([field, value]) => ({ field, op: 'eq' as const, value }));
}

const num = (v: unknown): number => Number(v ?? 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

export class ClickHouseLogsSource implements LogsSource {
  readonly bounds: LogsBounds;
  readonly location: string;
  private readonly otelLogs: TableSpec;
  private connection: Promise<LogsConnection> | undefined;
  private closed = false;

  constructor(private readonly options: ClickHouseLogsOptions) {
    this.bounds = { ...DEFAULT_LOGS_BOUNDS, ...options.bounds };
    this.location = `${options.location}/${options.database}`;
    this.otelLogs = otelLogsTable(options.tenantAttribute);
  }

  async events(auth: AuthContext, q: EventQuery, signal?: AbortSignal): Promise<EventGroup[]> {
    const rows = await this.run(
      auth,
      {
        table: K8S_EVENTS,
        select: {
          namespace: 'namespace',
          kind: 'kind',
          name: 'name',
          reason: 'reason',
          type: 'event_type',
          message: 'message',
          source: 'any(source_component)',
          // A row with count 0 (some emitters leave it unset) still happened once.
          occurrences: 'sum(greatest(count, 1))',
          first_seen_ms: 'toUnixTimestamp64Milli(min(timestamp))',
          last_seen_ms: 'toUnixTimestamp64Milli(max(timestamp))',
        },
        filters: equalities({ kind: q.kind, name: q.name, namespace: q.namespace, reason: q.reason, type: q.type }),
        window: q.window,
        groupBy: ['namespace', 'kind', 'name', 'reason', 'event_type', 'message'],
        orderBy: 'last_seen_ms DESC, occurrences DESC',
        limit: q.limit,
      },
      signal,
    );
    return rows.map((r) => ({
      namespace: str(r.namespace),
      kind: str(r.kind),
      name: str(r.name),
      reason: str(r.reason),
      type: str(r.type),
      message: str(r.message),
      sourceComponent: str(r.source),
      count: num(r.occurrences),
      firstSeenMs: num(r.first_seen_ms),
      lastSeenMs: num(r.last_seen_ms),
    }));
  }

  async logs(auth: AuthContext, q: LogQuery, signal?: AbortSignal): Promise<LogLine[]> {
    const filters: Filter[] = equalities({ namespace: q.namespace, pod: q.pod, container: q.container, deployment: q.deployment });
    if (q.search !== undefined) filters.push({ field: 'body', op: 'contains', value: q.search });
    if (q.minSeverity !== undefined) filters.push({ field: 'severity', op: 'gte', value: q.minSeverity });
    const rows = await this.run(
      auth,
      {
        table: this.otelLogs,
        select: {
          ts_ms: 'toUnixTimestamp64Milli(Timestamp)',
          severity_text: 'SeverityText',
          severity_number: OTEL_SEVERITY,
          service: 'ServiceName',
          namespace: OTEL_K8S.namespace,
          pod: OTEL_K8S.pod,
          container: OTEL_K8S.container,
          deployment: OTEL_K8S.deployment,
          body: `leftUTF8(Body, ${LOG_BODY_MAX_CHARS})`,
          trace_id: 'TraceId',
        },
        filters,
        window: q.window,
        orderBy: 'Timestamp DESC',
        limit: q.limit,
      },
      signal,
    );
    return rows.map((r) => ({
      timestampMs: num(r.ts_ms),
      severityText: str(r.severity_text),
      severityNumber: num(r.severity_number),
      service: str(r.service),
      namespace: str(r.namespace),
      pod: str(r.pod),
      container: str(r.container),
      deployment: str(r.deployment),
      body: str(r.body),
      traceId: str(r.trace_id),
    }));
  }

  async securityGroups(auth: AuthContext, q: SecurityQuery, by: SecurityGroupKey, signal?: AbortSignal): Promise<SecurityGroup[]> {
    const failed = `lower(result) IN (${FAILED_RESULTS.map((r) => `'${r}'`).join(', ')})`;
    const rows = await this.run(
      auth,
      {
        table: SECURITY_EVENTS,
        select: {
          group_key: SECURITY_EVENTS.fields[by]!,
          occurrences: 'count()',
          failures: `countIf(${failed})`,
          users: 'uniqExact(user_id)',
          sources: 'uniqExact(source_ip)',
          max_risk: 'max(toFloat64(risk_score))',
          first_seen_ms: 'toUnixTimestamp64Milli(min(timestamp))',
          last_seen_ms: 'toUnixTimestamp64Milli(max(timestamp))',
          // Aliases unlike any column: ClickHouse resolves WHERE names against SELECT aliases first.
          newest_type: 'argMax(event_type, timestamp)',
          newest_action: 'argMax(action, timestamp)',
          newest_resource: 'argMax(resource, timestamp)',
          newest_message: `leftUTF8(argMax(message, timestamp), ${LOG_BODY_MAX_CHARS})`,
        },
        filters: securityFilters(q),
        window: q.window,
        groupBy: ['group_key'],
        orderBy: 'failures DESC, occurrences DESC, group_key',
        limit: q.limit,
      },
      signal,
    );
    return rows.map((r) => ({
      key: str(r.group_key),
      count: num(r.occurrences),
      failures: num(r.failures),
      users: num(r.users),
      sources: num(r.sources),
      maxRisk: num(r.max_risk),
      firstSeenMs: num(r.first_seen_ms),
      lastSeenMs: num(r.last_seen_ms),
      eventType: str(r.newest_type),
      action: str(r.newest_action),
      resource: str(r.newest_resource),
      message: str(r.newest_message),
    }));
  }

  async securityEvents(auth: AuthContext, q: SecurityQuery, signal?: AbortSignal): Promise<SecurityEventRow[]> {
    const rows = await this.run(
      auth,
      {
        table: SECURITY_EVENTS,
        select: {
          ts_ms: 'toUnixTimestamp64Milli(timestamp)',
          event_type: 'event_type',
          severity: 'severity',
          user_id: 'user_id',
          source_ip: 'source_ip',
          resource: 'resource',
          action: 'action',
          result: 'result',
          message: `leftUTF8(message, ${LOG_BODY_MAX_CHARS})`,
          risk: 'toFloat64(risk_score)',
        },
        filters: securityFilters(q),
        window: q.window,
        orderBy: 'timestamp DESC',
        limit: q.limit,
      },
      signal,
    );
    return rows.map((r) => ({
      timestampMs: num(r.ts_ms),
      eventType: str(r.event_type),
      severity: str(r.severity),
      userId: str(r.user_id),
      sourceIp: str(r.source_ip),
      resource: str(r.resource),
      action: str(r.action),
      result: str(r.result),
      message: str(r.message),
      riskScore: num(r.risk),
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connection;
    this.connection = undefined;
    const conn = await pending?.catch(() => undefined);
    await conn?.release();
  }

  private connect(): Promise<LogsConnection> {
    if (this.closed) return Promise.reject(new LogsError('unavailable', 'the logs source is closed'));
    this.connection ??= this.options.connect().catch((err: unknown) => {
      this.connection = undefined; // the next query tries again
      throw new LogsError(
        'unavailable',
        `cannot open the logs store: ${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}`,
      );
    });
    return this.connection;
  }

  /** Builds the confined query (the only way SQL is made here), runs it and reads its rows. */
  private async run(auth: AuthContext, spec: LogsQuerySpec, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const table = `${this.options.database}.${spec.table.name}`;
    const built = buildConfinedQuery(auth, this.options.database, spec, this.bounds);
    const { client } = await this.connect();
    try {
      const rs = await client.query({
        query: built.sql,
        query_params: built.params,
        format: 'JSONEachRow',
        ...(signal ? { abort_signal: signal } : {}),
      });
      return await rs.json<Record<string, unknown>>();
    } catch (err) {
      throw logsErrorFrom(err, table);
    }
  }
}
