/**
 * Part of the composition root: where graph checkpoints live. PostgreSQL when DATABASE_URL is set
 * (shared by every replica, so an approval can resume a run on any of them); otherwise a SQLite
 * file under AIOPS_DATA_DIR (one process). The Redis saver needs RedisJSON/RediSearch, which
 * Debian's Redis lacks.
 *
 * PostgreSQL may be down when the service starts: the service still starts (readiness reports it),
 * and the schema is set up on first use, retried on every use until it succeeds.
 *
 * The saver runs on the process's one PostgreSQL pool (src/clients/postgres.ts, which handles its
 * connection errors), not on a pool of its own: `PostgresSaver.fromConnString` builds a `pg.Pool`
 * without an `'error'` listener, which crashed the process when PostgreSQL closed an idle connection.
 * The pool belongs to the composition root, so closing the checkpointer does not end it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type pg from 'pg';
import type { Config } from '../config.js';

export interface Checkpointer {
  saver: BaseCheckpointSaver;
  kind: 'postgres' | 'sqlite';
  /** Resolves when the store can be used (rejects while it cannot: the caller answers 503). */
  ensureReady(): Promise<void>;
  close(): Promise<void>;
}

/** `postgres`: the shared pool, given whenever DATABASE_URL is set. */
export function openCheckpointer(config: Config, postgres?: pg.Pool): Checkpointer {
  if (config.databaseUrl) {
    if (!postgres) throw new Error('DATABASE_URL is set: the checkpointer needs the shared PostgreSQL pool');
    const saver = new PostgresSaver(postgres, undefined, { schema: 'aiops_checkpoints' });
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
      close: async () => undefined, // never saver.end(): that would end the shared pool (the composition root does, once)
    };
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the configured AIOPS_DATA_DIR
  mkdirSync(config.dataDir, { recursive: true });
  const saver = SqliteSaver.fromConnString(path.join(config.dataDir, 'checkpoints.sqlite'));
  return { saver, kind: 'sqlite', ensureReady: async () => undefined, close: async () => void saver.db.close() };
}
