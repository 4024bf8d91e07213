/**
 * The thread index in SQLite (one process): table `chat_threads` in the checkpointer's own database
 * file (AIOPS_DATA_DIR/checkpoints.sqlite), so the index and the conversations live and go together.
 */
import type { Database } from 'better-sqlite3';
import type { ThreadRecord, ThreadStore } from './thread-store.js';

export function sqliteThreadStore(db: Database): ThreadStore {
  let ready = false;
  function setup(): void {
    if (ready) return;
    db.exec(`CREATE TABLE IF NOT EXISTS chat_threads (
      thread_id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL,
      sub TEXT NOT NULL,
      title TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      turns INTEGER NOT NULL DEFAULT 0,
      lease_holder TEXT,
      lease_until INTEGER
    );
    CREATE INDEX IF NOT EXISTS chat_threads_owner ON chat_threads (workspace_id, sub, updated_at DESC);`);
    ready = true;
  }
  const columns = 'thread_id, workspace_id, sub, title, created_at, updated_at, turns';
  return {
    ensureReady: async () => setup(),
    async get(threadId) {
      setup();
      return db.prepare(`SELECT ${columns} FROM chat_threads WHERE thread_id = ?`).get(threadId) as ThreadRecord | undefined;
    },
    async create(r, holder, leaseUntil) {
      setup();
      db.prepare(`INSERT INTO chat_threads (${columns}, lease_holder, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
        r.thread_id,
        r.workspace_id,
        r.sub,
        r.title,
        r.created_at,
        r.updated_at,
        r.turns,
        holder,
        leaseUntil,
      );
    },
    async acquire(threadId, holder, leaseUntil, now) {
      setup();
      const res = db
        .prepare(
          'UPDATE chat_threads SET lease_holder = ?, lease_until = ? WHERE thread_id = ? AND (lease_until IS NULL OR lease_until < ?)',
        )
        .run(holder, leaseUntil, threadId, now);
      return res.changes === 1;
    },
    async release(threadId, holder, { updatedAt, turnCompleted }) {
      setup();
      db.prepare(
        'UPDATE chat_threads SET lease_holder = NULL, lease_until = NULL, updated_at = MAX(updated_at, ?), turns = turns + ? WHERE thread_id = ? AND lease_holder = ?',
      ).run(updatedAt, turnCompleted ? 1 : 0, threadId, holder);
    },
    async list(workspaceId, sub, limit) {
      setup();
      return db
        .prepare(`SELECT ${columns} FROM chat_threads WHERE workspace_id = ? AND sub = ? ORDER BY updated_at DESC, created_at DESC LIMIT ?`)
        .all(workspaceId, sub, limit) as ThreadRecord[];
    },
  };
}
