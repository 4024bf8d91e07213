/**
 * Part of the composition root: in the embedded demo mode (`npm start` with nothing configured), the
 * demo workspaces' Kubernetes and security events are written into the embedded chDB's `hexabase_logs`
 * (`k8s_events`, `security_events`),
 * laid out as the platform's table, so the analyses, chat and MCP read events as they would in a
 * cluster. Written once per half hour of wall clock (a restart within it adds nothing), in the
 * background after start: a failure is logged and leaves the analyses with their stated gap.
 */
import path from 'node:path';
import { createClickHouse } from '../clients/clickhouse.js';
import type { Config } from '../config.js';
import { demoEventRows } from '../logs/demo/demo-events.js';
import { demoSecurityRows } from '../logs/demo/demo-security.js';
import { k8sEventsDdl, otelLogsDdl, securityEventsDdl } from '../logs/demo/platform-ddl.js';
import { demoAppLogRows } from '../logs/demo/demo-app-logs.js';
import { demoWorkspaces } from '../metrics/scenarios/index.js';

export interface DemoLogsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export async function seedDemoLogs(config: Config, nowMs: number, log: DemoLogsLog): Promise<void> {
  const db = config.logs.database;
  const ch = await createClickHouse({ embeddedPath: path.join(config.dataDir, 'clickhouse') });
  try {
    await ch.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
    await ch.client.command({ query: k8sEventsDdl(db) });
    await ch.client.command({ query: securityEventsDdl(db) });
    await ch.client.command({ query: otelLogsDdl(db) });
    const recent = await ch.client.query({
      query: `SELECT count() AS n FROM ${db}.k8s_events WHERE timestamp > fromUnixTimestamp64Milli({since:Int64})`,
      query_params: { since: nowMs - 30 * 60_000 },
      format: 'JSONEachRow',
    });
    const [counted] = await recent.json<{ n: string | number }>();
    if (Number(counted?.n ?? 0) > 0) return;
    const rows = demoEventRows(demoWorkspaces(), nowMs);
    await ch.client.insert({ table: `${db}.k8s_events`, values: rows, format: 'JSONEachRow' });
    const security = demoSecurityRows(demoWorkspaces(), nowMs);
    await ch.client.insert({ table: `${db}.security_events`, values: security, format: 'JSONEachRow' });
    const appLogs = demoAppLogRows(demoWorkspaces(), nowMs);
    await ch.client.insert({ table: `${db}.otel_logs`, values: appLogs, format: 'JSONEachRow' });
    log.info(
      { events: rows.length, security_events: security.length, log_lines: appLogs.length, database: db },
      'demo events and logs written to the embedded store',
    );
  } finally {
    await ch.close();
  }
}
