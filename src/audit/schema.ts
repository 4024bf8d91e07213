/**
 * The audit tables per ClickHouse version, and the versioned, idempotent migrations that create
 * them at start.
 *
 * `detectDialect` asks the server `SELECT version()`:
 *  - modern (≥ 21.8; production targets 23.8+, chDB embeds 26.7): DateTime64(3, 'UTC'),
 *    LowCardinality, a TTL on the LLM usage table, query parameters;
 *  - legacy (older; Debian ships 18.16): DateTime('UTC') plus a UInt64 millisecond column, plain
 *    String, no TTL, values inlined through `sql.ts`'s `literal()`.
 * Both use ReplacingMergeTree ordered by (workspace_id, timestamp, event_id): a retried event has the
 * same key, so merges fold duplicates and `FINAL` reads never show one (see README, "exactly once").
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AuditEvent } from './event.js';
import { identifier, render, sql, u32, type Ident, type ParamStyle, type Sql } from './sql.js';

export interface Dialect {
  kind: 'modern' | 'legacy';
  version: string;
  params: ParamStyle;
}

export function dialectFor(version: string): Dialect {
  const [major = 0, minor = 0] = version.split('.').map((x) => Number.parseInt(x, 10));
  const modern = major > 21 || (major === 21 && minor >= 8);
  return { kind: modern ? 'modern' : 'legacy', version, params: modern ? 'params' : 'inline' };
}

export async function detectDialect(client: ClickHouseClient): Promise<Dialect> {
  const rs = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const rows = await rs.json<{ v: string }>();
  return dialectFor(rows[0]?.v ?? '0');
}

export interface SchemaOptions {
  database: string;
  llmTtlDays: number;
}

const MIGRATIONS_TABLE = 'schema_migrations';

interface Migration {
  version: number;
  name: string;
  statements(d: Dialect, db: Ident, o: SchemaOptions): Sql[];
}

/** Append-only: never edit a shipped migration, add the next version. Every statement is idempotent. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit_events',
    statements: (d, db) => [
      d.kind === 'modern'
        ? sql`CREATE TABLE IF NOT EXISTS ${db}.audit_events (
          event_id String,
          timestamp DateTime64(3, 'UTC'),
          user_id String,
          organization_id String,
          workspace_id LowCardinality(String),
          source_ip String,
          event_type LowCardinality(String),
          outcome LowCardinality(String),
          resource_id String,
          details String,
          initiated_by LowCardinality(String),
          request_id String,
          trace_id String,
          inserted_at DateTime64(3, 'UTC') DEFAULT now64(3)
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMM(timestamp)
        ORDER BY (workspace_id, timestamp, event_id)`
        : sql`CREATE TABLE IF NOT EXISTS ${db}.audit_events (
          event_id String,
          timestamp DateTime('UTC'),
          timestamp_ms UInt64,
          user_id String,
          organization_id String,
          workspace_id String,
          source_ip String,
          event_type String,
          outcome String,
          resource_id String,
          details String,
          initiated_by String,
          request_id String,
          trace_id String,
          inserted_at DateTime('UTC') DEFAULT now()
        ) ENGINE = ReplacingMergeTree()
        PARTITION BY toYYYYMM(timestamp)
        ORDER BY (workspace_id, timestamp_ms, event_id)`,
    ],
  },
  {
    version: 2,
    name: 'aiops_logs (LLM usage, the source schema)',
    statements: (d, db, o) => [
      d.kind === 'modern'
        ? sql`CREATE TABLE IF NOT EXISTS ${db}.aiops_logs (
          event_id String,
          timestamp DateTime64(3, 'UTC'),
          agent LowCardinality(String),
          user_id String,
          organization_id String,
          workspace_id LowCardinality(String),
          session_id String,
          model LowCardinality(String),
          provider LowCardinality(String),
          prompt_name LowCardinality(String),
          prompt_hash String,
          input_tokens UInt32,
          output_tokens UInt32,
          latency_ms UInt32,
          cost_usd Float64,
          fallback_used UInt8,
          operation LowCardinality(String),
          status LowCardinality(String),
          request_id String,
          trace_id String
        ) ENGINE = ReplacingMergeTree
        PARTITION BY toYYYYMMDD(timestamp)
        ORDER BY (workspace_id, timestamp, event_id)
        TTL toDateTime(timestamp) + toIntervalDay(${u32(o.llmTtlDays)})`
        : sql`CREATE TABLE IF NOT EXISTS ${db}.aiops_logs (
          event_id String,
          timestamp DateTime('UTC'),
          timestamp_ms UInt64,
          agent String,
          user_id String,
          organization_id String,
          workspace_id String,
          session_id String,
          model String,
          provider String,
          prompt_name String,
          prompt_hash String,
          input_tokens UInt32,
          output_tokens UInt32,
          latency_ms UInt32,
          cost_usd Float64,
          fallback_used UInt8,
          operation String,
          status String,
          request_id String,
          trace_id String
        ) ENGINE = ReplacingMergeTree()
        PARTITION BY toYYYYMMDD(timestamp)
        ORDER BY (workspace_id, timestamp_ms, event_id)`,
    ],
  },
];

/**
 * Creates the database, applies every migration not yet recorded, and (modern servers) aligns the
 * LLM table's TTL with the configuration. Safe to run concurrently from several replicas.
 */
export async function migrate(client: ClickHouseClient, dialect: Dialect, options: SchemaOptions): Promise<number[]> {
  const db = identifier(options.database);
  // DDL is rendered inline: ClickHouse does not take query parameters in DDL; values are literals from literal().
  const run = (q: Sql) => client.command({ query: render(q, 'inline').query });
  await run(sql`CREATE DATABASE IF NOT EXISTS ${db}`);
  await run(sql`CREATE TABLE IF NOT EXISTS ${db}.${identifier(MIGRATIONS_TABLE)} (
      version UInt32, name String, applied_at DateTime('UTC') DEFAULT now()
    ) ENGINE = ReplacingMergeTree() ORDER BY version`);
  const rs = await client.query({
    query: render(sql`SELECT DISTINCT version FROM ${db}.${identifier(MIGRATIONS_TABLE)}`, 'inline').query,
    format: 'JSONEachRow',
  });
  const done = new Set((await rs.json<{ version: number | string }>()).map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    for (const statement of m.statements(dialect, db, options)) await run(statement);
    await client.insert({
      table: `${options.database}.${MIGRATIONS_TABLE}`,
      values: [{ version: m.version, name: m.name }],
      format: 'JSONEachRow',
    });
    applied.push(m.version);
  }
  if (dialect.kind === 'modern') await alignTtl(client, db, options);
  return applied;
}

async function alignTtl(client: ClickHouseClient, db: Ident, options: SchemaOptions): Promise<void> {
  const q = render(
    sql`SELECT engine_full FROM system.tables WHERE database = ${{ type: 'String', value: options.database }} AND name = 'aiops_logs'`,
    'params',
  );
  const rs = await client.query({ ...q, format: 'JSONEachRow' });
  const engine = (await rs.json<{ engine_full: string }>())[0]?.engine_full ?? '';
  const wanted = `toIntervalDay(${options.llmTtlDays})`;
  if (engine.includes('TTL') && !engine.includes(wanted)) {
    await client.command({
      query: render(
        sql`ALTER TABLE ${db}.aiops_logs MODIFY TTL toDateTime(timestamp) + toIntervalDay(${u32(options.llmTtlDays)})`,
        'inline',
      ).query,
    });
  }
}

/** The `audit_events` row of an event, per dialect. */
export function auditRow(e: AuditEvent, d: Dialect): Record<string, unknown> {
  const base = {
    event_id: e.event_id,
    user_id: e.user_id,
    organization_id: e.organization_id,
    workspace_id: e.workspace_id,
    source_ip: e.source_ip,
    event_type: e.event_type,
    outcome: e.outcome,
    resource_id: e.resource_id,
    details: JSON.stringify(e.details),
    initiated_by: e.initiated_by,
    request_id: e.request_id,
    trace_id: e.trace_id,
  };
  return withTimestamp(base, e.timestamp, d);
}

/** The `aiops_logs` row of an `llm_call` event, per dialect. */
export function llmRow(e: AuditEvent, d: Dialect): Record<string, unknown> {
  const x = e.details as Record<string, unknown>;
  const base = {
    event_id: e.event_id,
    agent: x.agent,
    user_id: e.user_id,
    organization_id: e.organization_id,
    workspace_id: e.workspace_id,
    session_id: x.session_id ?? '',
    model: x.model,
    provider: x.provider,
    prompt_name: x.prompt_name,
    prompt_hash: x.prompt_hash,
    input_tokens: x.input_tokens,
    output_tokens: x.output_tokens,
    latency_ms: Math.round(Number(x.latency_ms)),
    cost_usd: x.cost_usd ?? 0,
    fallback_used: x.fallback_used ? 1 : 0,
    operation: x.operation,
    status: x.status,
    request_id: e.request_id,
    trace_id: e.trace_id,
  };
  return withTimestamp(base, e.timestamp, d);
}

/** DateTime64(3) on modern servers; on 18.16 a DateTime (seconds) plus a millisecond column. */
function withTimestamp(row: Record<string, unknown>, timestampMs: number, d: Dialect): Record<string, unknown> {
  return d.kind === 'modern'
    ? { ...row, timestamp: timestampMs }
    : { ...row, timestamp: Math.floor(timestampMs / 1000), timestamp_ms: timestampMs };
}
