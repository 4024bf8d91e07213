/**
 * Part of the composition root: the audit trail. A spool under AIOPS_DATA_DIR/audit, shipped to
 * ClickHouse (CLICKHOUSE_URL), or to the embedded chDB under AIOPS_DATA_DIR/clickhouse when unset.
 */
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { openAuditPipeline, type AuditPipeline } from '../audit/pipeline.js';
import { createClickHouse } from '../clients/clickhouse.js';
import type { Config } from '../config.js';

export function openAudit(config: Config, log: FastifyBaseLogger, overrides: { retryBaseMs?: number } = {}): Promise<AuditPipeline> {
  return openAuditPipeline(
    {
      dir: path.join(config.dataDir, 'audit'),
      database: config.clickhouse.database,
      ...config.audit,
      ...overrides,
      drainOnCloseMs: Math.min(5000, config.http.shutdownTimeoutMs / 2),
      log: log.child({ component: 'audit' }),
    },
    async () => {
      const ch = await createClickHouse({ ...config.clickhouse, embeddedPath: path.join(config.dataDir, 'clickhouse') });
      return { client: ch.client, release: () => ch.close() };
    },
  );
}
