/**
 * Part of the composition root: the logs source (Kubernetes events, application logs) over
 * LOGS_CLICKHOUSE_URL, else the audit's CLICKHOUSE_URL, else the embedded chDB under
 * AIOPS_DATA_DIR/clickhouse. chDB allows one data directory per process: createClickHouse joins
 * the client the audit opened for that directory (reference-counted), never a second one. The
 * connection is opened on the first query, so a service whose logs are never read loads nothing.
 */
import path from 'node:path';
import { createClickHouse } from '../clients/clickhouse.js';
import type { Config } from '../config.js';
import { ClickHouseLogsSource } from '../logs/clickhouse-logs-source.js';
import type { LogsSource } from '../logs/logs-source.js';

export function buildLogsSource(config: Config): LogsSource {
  const { url, user, password, database, tenantAttribute } = config.logs;
  const embeddedPath = path.join(config.dataDir, 'clickhouse');
  return new ClickHouseLogsSource({
    database,
    tenantAttribute,
    location: url ? new URL(url).host : `chdb:${embeddedPath}`,
    connect: async () => {
      const ch = await createClickHouse({
        ...(url ? { url } : {}),
        ...(user ? { user } : {}),
        ...(password ? { password } : {}),
        embeddedPath,
        requestTimeoutMs: 15_000,
      });
      return { client: ch.client, location: ch.location, release: () => ch.close() };
    },
  });
}
