/**
 * The platform's ClickHouse tables the logs source reads, laid out as in production (`k8s_events`
 * from the platform's schema file, `otel_logs` from the OpenTelemetry Collector exporter), row
 * builders for them, and a logs source on the embedded chDB of a test's data directory.
 */
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { createClickHouse } from '../../src/clients/clickhouse.js';
import { ClickHouseLogsSource } from '../../src/logs/clickhouse-logs-source.js';
import { dateTime64, k8sEventsDdl, otelLogsDdl, securityEventsDdl } from '../../src/logs/demo/platform-ddl.js';
import type { LogsBounds, LogsSource } from '../../src/logs/logs-source.js';

const MIN = 60_000;

/** `ttl: false` leaves out the platform's 30-day TTL (for rows pinned to a clock more than 30 days ago: ClickHouse drops them on insert). */
export async function createLogsTables(client: ClickHouseClient, db: string, { ttl = true }: { ttl?: boolean } = {}): Promise<void> {
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await client.command({ query: k8sEventsDdl(db, { ttl }) });
  await client.command({ query: securityEventsDdl(db, { ttl }) });
  await client.command({ query: otelLogsDdl(db) });
}

/** A `k8s_events` row `ageMin` minutes before `now`: a kubelet BackOff of shop/api-1 unless overridden. */
export function eventRow(now: number, ws: string, ageMin: number, o: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: dateTime64(now - ageMin * MIN),
    namespace: 'shop',
    kind: 'Pod',
    name: 'api-1',
    reason: 'BackOff',
    message: 'Back-off restarting failed container api in pod api-1',
    event_type: 'Warning',
    source_component: 'kubelet',
    source_host: 'node-1',
    count: 1,
    workspace_id: ws,
    labels: {},
    ...o,
  };
}

/** An `otel_logs` row of shop/checkout, INFO unless overridden; `ws` undefined: no tenant attribute. */
export function logRow(
  now: number,
  ws: string | undefined,
  ageMin: number,
  body: string,
  o: Record<string, unknown> = {},
  attrs: Record<string, string> = {},
): Record<string, unknown> {
  return {
    Timestamp: dateTime64(now - ageMin * MIN),
    TraceId: 't-1',
    SpanId: 's-1',
    TraceFlags: 0,
    SeverityText: 'INFO',
    SeverityNumber: 9,
    ServiceName: 'checkout',
    Body: body,
    ResourceSchemaUrl: '',
    ResourceAttributes: {
      ...(ws === undefined ? {} : { workspace_id: ws }),
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': 'checkout-7d9-abc',
      'k8s.container.name': 'app',
      'k8s.deployment.name': 'checkout',
      ...attrs,
    },
    ScopeSchemaUrl: '',
    ScopeName: '',
    ScopeVersion: '',
    ScopeAttributes: {},
    LogAttributes: {},
    ...o,
  };
}

/** A logs source joining the embedded chDB of `dataDir` (or a server at `url`). */
export function testLogsSource(
  dataDir: string,
  options: { database?: string; tenantAttribute?: string; bounds?: Partial<LogsBounds>; url?: string } = {},
): LogsSource {
  return new ClickHouseLogsSource({
    database: options.database ?? 'hexabase_logs',
    tenantAttribute: options.tenantAttribute ?? 'workspace_id',
    ...(options.bounds ? { bounds: options.bounds } : {}),
    location: 'test',
    connect: async () => {
      const h = await createClickHouse({ ...(options.url ? { url: options.url } : {}), embeddedPath: path.join(dataDir, 'clickhouse') });
      return { client: h.client, location: h.location, release: () => h.close() };
    },
  });
}

/** A `security_events` row `ageMin` minutes before `now`: a failed login of alice from 203.0.113.7 unless overridden. */
export function securityRow(now: number, ws: string, ageMin: number, o: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: dateTime64(now - ageMin * MIN),
    event_type: 'login',
    severity: 'medium',
    user_id: 'alice',
    org_id: 'org-1',
    workspace_id: ws,
    source_ip: '203.0.113.7',
    user_agent: 'curl/8.5',
    resource: 'console',
    action: 'login',
    result: 'failure',
    message: 'invalid password',
    metadata: {},
    risk_score: 0.4,
    ...o,
  };
}
