/**
 * The platform's `k8s_events` and `security_events` tables as Hexabase creates them in `hexabase_logs` (the platform's
 * schema file, ../shared/docs/hexabase-source.md): used to lay out the embedded demo store and the
 * tests' tables exactly as production has them. `Map` and `DateTime64` need ClickHouse ≥ 19/20
 * (chDB has them; Debian's 18.16 server does not).
 */
/** `2026-12-05 11:50:00.000`: a DateTime64 value (any precision) as JSONEachRow takes it, in UTC. */
export function dateTime64(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function k8sEventsDdl(database: string, { ttl = true }: { ttl?: boolean } = {}): string {
  return `CREATE TABLE IF NOT EXISTS ${database}.k8s_events (
  timestamp DateTime64(3), namespace String, kind LowCardinality(String), name String, reason LowCardinality(String),
  message String, event_type LowCardinality(String), source_component LowCardinality(String), source_host String,
  count UInt32, workspace_id String, labels Map(String, String)
) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (timestamp, workspace_id, namespace)${ttl ? ' TTL toDateTime(timestamp) + INTERVAL 30 DAY' : ''}`;
}

/** The platform's `security_events` (365-day TTL in the platform). */
export function securityEventsDdl(database: string, { ttl = true }: { ttl?: boolean } = {}): string {
  return `CREATE TABLE IF NOT EXISTS ${database}.security_events (
  timestamp DateTime64(3), event_type LowCardinality(String), severity LowCardinality(String), user_id String, org_id String,
  workspace_id String, source_ip String, user_agent String, resource String, action String, result LowCardinality(String),
  message String, metadata Map(String, String), risk_score Float32
) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (timestamp, workspace_id)${ttl ? ' TTL toDateTime(timestamp) + INTERVAL 365 DAY' : ''}`;
}

/** The OpenTelemetry Collector ClickHouse exporter's default `otel_logs`, its skip indexes left out. */
export function otelLogsDdl(database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${database}.otel_logs (
  Timestamp DateTime64(9), TimestampTime DateTime DEFAULT toDateTime(Timestamp), TraceId String, SpanId String, TraceFlags UInt8,
  SeverityText LowCardinality(String), SeverityNumber UInt8, ServiceName LowCardinality(String), Body String,
  ResourceSchemaUrl LowCardinality(String), ResourceAttributes Map(LowCardinality(String), String),
  ScopeSchemaUrl LowCardinality(String), ScopeName String, ScopeVersion LowCardinality(String),
  ScopeAttributes Map(LowCardinality(String), String), LogAttributes Map(LowCardinality(String), String)
) ENGINE = MergeTree PARTITION BY toDate(TimestampTime) ORDER BY (ServiceName, TimestampTime, Timestamp)`;
}
