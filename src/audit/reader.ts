/**
 * Reads the audit trail of one workspace. The workspace is a required argument the route takes
 * from the verified token, never from the query; every query carries `workspace_id = <it>`.
 * Newest first, cursor-paginated on (timestamp, event_id), read with FINAL so a row that reached
 * ClickHouse twice (retry after an uncertain insert) is returned once.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AuditEventType } from './event.js';
import { DependencyUnavailable } from '../resilience/dependency-unavailable.js';
import type { Dialect } from './schema.js';
import { i64, identifier, join, render, sql, str, strings, u32, type Sql } from './sql.js';

export interface AuditQuery {
  workspaceId: string;
  fromMs: number;
  toMs: number;
  /** Types visible in full (every user's events of these types). */
  types: readonly AuditEventType[];
  /** Types visible only for this user's own events (e.g. a non-admin's own authorization decisions). */
  ownTypes?: readonly AuditEventType[];
  userId?: string;
  limit: number;
  /** Exclusive upper bound: (timestamp, event_id) of the last row of the previous page. */
  before?: { ts: number; id: string };
}

export interface AuditRecord {
  event_id: string;
  timestamp_ms: number;
  user_id: string;
  organization_id: string;
  workspace_id: string;
  source_ip: string;
  event_type: string;
  outcome: string;
  resource_id: string;
  details: string;
  initiated_by: string;
  request_id: string;
  trace_id: string;
}

/** Builds the SELECT for a dialect. */
function auditSelect(q: AuditQuery, database: string, dialect: Dialect): Sql {
  const modern = dialect.kind === 'modern';
  const ts = modern ? sql`toUnixTimestamp64Milli(timestamp)` : sql`timestamp_ms`;
  const at = (ms: number) => (modern ? sql`fromUnixTimestamp64Milli(${i64(ms)}, 'UTC')` : sql`${i64(ms)}`);
  const col = modern ? sql`timestamp` : sql`timestamp_ms`;
  const visible: Sql[] = [];
  if (q.types.length > 0) visible.push(sql`has(${strings(q.types)}, event_type)`);
  if (q.ownTypes && q.ownTypes.length > 0 && q.userId)
    visible.push(sql`(has(${strings(q.ownTypes)}, event_type) AND user_id = ${str(q.userId)})`);
  if (visible.length === 0) visible.push(sql`0`);
  const where: Sql[] = [
    sql`workspace_id = ${str(q.workspaceId)}`,
    sql`${col} >= ${at(q.fromMs)}`,
    sql`${col} <= ${at(q.toMs)}`,
    sql`(${join(visible, ' OR ')})`,
  ];
  if (q.before) {
    where.push(sql`(${col} < ${at(q.before.ts)} OR (${col} = ${at(q.before.ts)} AND event_id < ${str(q.before.id)}))`);
  }
  return sql`SELECT event_id, ${ts} AS timestamp_ms, user_id, organization_id, workspace_id, source_ip, event_type,
      outcome, resource_id, details, initiated_by, request_id, trace_id
    FROM ${identifier(database)}.audit_events FINAL
    WHERE ${join(where, ' AND ')}
    ORDER BY ${col} DESC, event_id DESC
    LIMIT ${u32(q.limit)}`;
}

export class AuditReader {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
    private readonly dialect: () => Promise<Dialect>,
  ) {}

  /** Rejects with DependencyUnavailable 'audit_store' when ClickHouse cannot answer (503 `audit_store_unavailable`). */
  async query(q: AuditQuery): Promise<AuditRecord[]> {
    try {
      const dialect = await this.dialect();
      const rendered = render(auditSelect(q, this.database, dialect), dialect.params);
      const rs = await this.client.query({ ...rendered, format: 'JSONEachRow' });
      const rows = await rs.json<AuditRecord & { timestamp_ms: number | string }>();
      return rows.map((r) => ({ ...r, timestamp_ms: Number(r.timestamp_ms) }));
    } catch (err) {
      throw new DependencyUnavailable('audit_store', { cause: err });
    }
  }
}
