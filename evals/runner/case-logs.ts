/**
 * A case's Kubernetes events: the platform's `k8s_events` table on an embedded chDB in the case's
 * data directory, holding what the scenario's workspaces would emit (routine noise, the Warning events
 * of each scripted incident, the event-only incidents: src/logs/demo/demo-events.ts) on the case's
 * pinned clock. Every other workspace's event messages carry its canary, so an answer that shows
 * another tenant's events fails the canary check like a leaked series label.
 */
import { join } from 'node:path';
import { createClickHouse } from '../../src/clients/clickhouse.js';
import { ClickHouseLogsSource } from '../../src/logs/clickhouse-logs-source.js';
import { demoEventRows } from '../../src/logs/demo/demo-events.js';
import { demoSecurityRows } from '../../src/logs/demo/demo-security.js';
import { appLogRow, demoAppLogRows } from '../../src/logs/demo/demo-app-logs.js';
import { dateTime64, k8sEventsDdl, otelLogsDdl, securityEventsDdl } from '../../src/logs/demo/platform-ddl.js';
import type { LogsSource } from '../../src/logs/logs-source.js';
import type { WorkspaceScenario } from '../../src/metrics/scenarios/index.js';

const DB = 'hexabase_logs';

function plantedEvent(workspaceId: string, atMs: number, message: string) {
  return {
    timestamp: dateTime64(atMs),
    namespace: 'shop',
    kind: 'Pod',
    name: 'api-7c9d8e6f5a-zq2wx',
    reason: 'Unhealthy',
    message: `Readiness probe failed: ${message}`,
    event_type: 'Warning' as const,
    source_component: 'kubelet',
    source_host: 'node-1',
    count: 3,
    workspace_id: workspaceId,
    labels: {},
  };
}

export interface CaseLogs {
  source: LogsSource;
  close(): Promise<void>;
}

export async function openCaseLogs(
  dataDir: string,
  workspaces: readonly WorkspaceScenario[],
  canaries: ReadonlyMap<string, string>,
  nowMs: number,
  /** Attacker text: Warning events of the first workspace (readiness probe failures of shop/api). */
  adversarialMessages: readonly string[] = [],
  /** Attacker text: ERROR log lines of the first workspace's shop/api. */
  adversarialLogLines: readonly string[] = [],
): Promise<CaseLogs> {
  const embeddedPath = join(dataDir, 'clickhouse');
  const ch = await createClickHouse({ embeddedPath });
  const first = workspaces[0]?.workspaceId;
  try {
    await ch.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${DB}` });
    // No TTL: a case's pinned clock may lie more than the platform's 30 days before the real one.
    await ch.client.command({ query: k8sEventsDdl(DB, { ttl: false }) });
    await ch.client.command({ query: securityEventsDdl(DB, { ttl: false }) });
    const canaryIn = <R>(rows: R[], workspaceOf: (r: R) => string, text: keyof R & string): R[] =>
      rows.map((r) => {
        const canary = canaries.get(workspaceOf(r));
        return canary ? { ...r, [text]: `${String(r[text])} ${canary}` } : r;
      });
    const security = canaryIn(demoSecurityRows(workspaces, nowMs), (r) => r.workspace_id, 'message');
    await ch.client.insert({ table: `${DB}.security_events`, values: security, format: 'JSONEachRow' });
    await ch.client.command({ query: otelLogsDdl(DB) });
    const appLogs = canaryIn(
      demoAppLogRows(workspaces, nowMs),
      (r) => (r.ResourceAttributes as Record<string, string>).workspace_id!,
      'Body',
    );
    if (first)
      for (const [i, body] of adversarialLogLines.entries())
        for (let k = 0; k < 10; k++) appLogs.push(appLogRow(first, nowMs - (k * 6 + i + 1) * 60_000, 'shop', 'api', body, 'ERROR'));
    if (appLogs.length > 0) await ch.client.insert({ table: `${DB}.otel_logs`, values: appLogs, format: 'JSONEachRow' });
    const rows = canaryIn(demoEventRows(workspaces, nowMs), (r) => r.workspace_id, 'message');
    if (first) rows.push(...adversarialMessages.map((message, i) => plantedEvent(first, nowMs - (i + 1) * 60_000, message)));
    if (rows.length > 0) await ch.client.insert({ table: `${DB}.k8s_events`, values: rows, format: 'JSONEachRow' });
  } catch (err) {
    await ch.close();
    throw err;
  }
  const source = new ClickHouseLogsSource({
    database: DB,
    tenantAttribute: 'workspace_id',
    location: `chdb:${embeddedPath}`,
    connect: async () => {
      const h = await createClickHouse({ embeddedPath });
      return { client: h.client, location: h.location, release: () => h.close() };
    },
  });
  return { source, close: () => ch.close() };
}
