/**
 * Part of the composition root: where graph checkpoints live. PostgreSQL when DATABASE_URL is set
 * (shared by every replica, so an approval can resume a run on any of them); otherwise a SQLite
 * file under AIOPS_DATA_DIR (one process). The Redis saver needs RedisJSON/RediSearch, which
 * Debian's Redis lacks.
 *
 * PostgreSQL may be down when the service starts: the service still starts (readiness reports it),
 * and the schema is set up on first use, retried on every use until it succeeds.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type { Config } from '../config.js';

export interface Checkpointer {
  saver: BaseCheckpointSaver;
  kind: 'postgres' | 'sqlite';
  /** Resolves when the store can be used (rejects while it cannot: the caller answers 503). */
  ensureReady(): Promise<void>;
  close(): Promise<void>;
}

export function openCheckpointer(config: Config): Checkpointer {
  if (config.databaseUrl) {
    const saver = PostgresSaver.fromConnString(config.databaseUrl, { schema: 'aiops_checkpoints' });
    let setup: Promise<void> | undefined;
    return {
      saver,
      kind: 'postgres',
      ensureReady: () => {
        setup ??= saver.setup().catch((err: unknown) => {
          setup = undefined; // retried on the next use
          throw err;
        });
        return setup;
      },
      close: () => saver.end(),
    };
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the configured AIOPS_DATA_DIR
  mkdirSync(config.dataDir, { recursive: true });
  const saver = SqliteSaver.fromConnString(path.join(config.dataDir, 'checkpoints.sqlite'));
  return { saver, kind: 'sqlite', ensureReady: async () => undefined, close: async () => void saver.db.close() };
}
