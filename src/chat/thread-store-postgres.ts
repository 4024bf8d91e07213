/**
 * The thread index in PostgreSQL (shared by every replica): table `<schema>.chat_threads` in the
 * database of DATABASE_URL. Set up on first use, under an advisory lock so replicas starting
 * together do not race on CREATE SCHEMA; retried on every use until it succeeds (PostgreSQL may be
 * down at start, like the checkpointer).
 */
import type pg from 'pg';
import type { ThreadRecord, ThreadStore } from './thread-store.js';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
/** Arbitrary constant: the advisory lock that serialises the DDL below across replicas. */
const SETUP_LOCK = 742_118_031;

interface Row {
  thread_id: string;
  workspace_id: string;
  sub: string;
  title: string;
  created_at: string;
  updated_at: string;
  turns: number;
}

const toRecord = (r: Row): ThreadRecord => ({
  ...r,
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
  turns: Number(r.turns),
});

export function postgresThreadStore(pool: pg.Pool, options: { schema?: string } = {}): ThreadStore {
  const schema = options.schema ?? 'aiops_chat';
  if (!IDENT.test(schema)) throw new Error(`invalid schema name: ${schema}`);
  const table = `"${schema}".chat_threads`;
  let setup: Promise<void> | undefined;

  async function createTable(): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
        thread_id uuid PRIMARY KEY,
        workspace_id text NOT NULL,
        sub text NOT NULL,
        title text NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        turns integer NOT NULL DEFAULT 0,
        lease_holder text,
        lease_until bigint
      )`);
      await client.query(`CREATE INDEX IF NOT EXISTS chat_threads_owner ON ${table} (workspace_id, sub, updated_at DESC)`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  const columns = 'thread_id, workspace_id, sub, title, created_at, updated_at, turns';
  return {
    ensureReady() {
      setup ??= createTable().catch((err: unknown) => {
        setup = undefined; // retried on the next use
        throw err;
      });
      return setup;
    },
    async get(threadId) {
      const res = await pool.query<Row>(`SELECT ${columns} FROM ${table} WHERE thread_id = $1`, [threadId]);
      return res.rows[0] ? toRecord(res.rows[0]) : undefined;
    },
    async create(r, holder, leaseUntil) {
      await pool.query(`INSERT INTO ${table} (${columns}, lease_holder, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
        r.thread_id,
        r.workspace_id,
        r.sub,
        r.title,
        r.created_at,
        r.updated_at,
        r.turns,
        holder,
        leaseUntil,
      ]);
    },
    async acquire(threadId, holder, leaseUntil, now) {
      const res = await pool.query(
        `UPDATE ${table} SET lease_holder = $2, lease_until = $3 WHERE thread_id = $1 AND (lease_until IS NULL OR lease_until < $4)`,
        [threadId, holder, leaseUntil, now],
      );
      return res.rowCount === 1;
    },
    async release(threadId, holder, { updatedAt, turnCompleted }) {
      await pool.query(
        `UPDATE ${table} SET lease_holder = NULL, lease_until = NULL, updated_at = GREATEST(updated_at, $3), turns = turns + $4 WHERE thread_id = $1 AND lease_holder = $2`,
        [threadId, holder, updatedAt, turnCompleted ? 1 : 0],
      );
    },
    async list(workspaceId, sub, limit) {
      const res = await pool.query<Row>(
        `SELECT ${columns} FROM ${table} WHERE workspace_id = $1 AND sub = $2 ORDER BY updated_at DESC, created_at DESC LIMIT $3`,
        [workspaceId, sub, limit],
      );
      return res.rows.map(toRecord);
    },
  };
}
