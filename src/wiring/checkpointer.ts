/**
 * Part of the composition root: where graph checkpoints live. PostgreSQL when DATABASE_URL is set
 * (shared by every replica, so an approval can resume a run on any of them); otherwise a SQLite
 * file under AIOPS_DATA_DIR (one process). The Redis saver needs RedisJSON/RediSearch, which
 * Debian's Redis lacks.
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
  close(): Promise<void>;
}

export async function openCheckpointer(config: Config): Promise<Checkpointer> {
  if (config.databaseUrl) {
    const saver = PostgresSaver.fromConnString(config.databaseUrl, { schema: 'aiops_checkpoints' });
    await saver.setup();
    return { saver, kind: 'postgres', close: () => saver.end() };
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the configured AIOPS_DATA_DIR
  mkdirSync(config.dataDir, { recursive: true });
  const saver = SqliteSaver.fromConnString(path.join(config.dataDir, 'checkpoints.sqlite'));
  return { saver, kind: 'sqlite', close: async () => void saver.db.close() };
}
