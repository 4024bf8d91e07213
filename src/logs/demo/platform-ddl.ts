/**
 * The platform's `k8s_events` and `security_events` tables as Hexabase creates them in `hexabase_logs` (the platform's
 * schema file, ../shared/docs/hexabase-source.md): used to lay out the embedded demo store and the
 * tests' tables exactly as production has them. `Map` and `DateTime64` need ClickHouse ≥ 19/20
 * (chDB has them; Debian's 18.16 server does not).
 */
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
