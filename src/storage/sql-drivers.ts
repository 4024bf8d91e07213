/**
 * The two SQL drivers of the stores that live in PostgreSQL or SQLite (remediations, run leases,
 * alerts and incidents). Built by the composition root (which owns the connections); a store only
 * sees `query` and `transaction`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { isPostgresUnavailable } from '../clients/postgres.js';
import { DependencyUnavailable, type UnavailableDependency } from '../resilience/dependency-unavailable.js';

/** The minimal SQL surface both databases provide (`?` placeholders; PostgreSQL's are rewritten). */
export interface SqlDriver {
  query(sql: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
  /**
   * Runs `fn` in a transaction serialised with every other transaction of the same `lockKey` (across
   * processes): its statements go through the driver `fn` receives; committed when `fn` resolves,
   * rolled back when it throws.
   */
  transaction<T>(lockKey: string, fn: (tx: Pick<SqlDriver, 'query'>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Arbitrary constant: the class of the advisory locks taken by store transactions (the key is hashed into the second half). */
const LOCK_CLASS = 1_380_273_485;

/** `?` placeholders become `$1…$n` (none of our statements has a literal `?`). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** A failure because PostgreSQL is unreachable becomes DependencyUnavailable of the store (503); others pass through. */
async function unlessUnavailable<T>(dependency: UnavailableDependency, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isPostgresUnavailable(err)) throw new DependencyUnavailable(dependency, { cause: err });
    throw err;
  }
}

/** PostgreSQL: a transaction holds one pooled connection and a transaction-scoped advisory lock on its key. */
export function postgresDriver(pool: pg.Pool, options: { ownsPool?: boolean; dependency?: UnavailableDependency } = {}): SqlDriver {
  const dependency = options.dependency ?? 'remediation_store';
  const unlessDown = <T>(work: () => Promise<T>) => unlessUnavailable(dependency, work);
  const run = async (client: pg.Pool | pg.PoolClient, sql: string, params: unknown[]) => {
    const result = await unlessDown(() => client.query(numbered(sql), params));
    return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
  };
  return {
    query: (sql, params) => run(pool, sql, params),
    async transaction(lockKey, fn) {
      const client = await unlessDown(() => pool.connect());
      let broken: Error | undefined;
      try {
        await run(client, 'BEGIN', []);
        await run(client, 'SELECT pg_advisory_xact_lock(?, hashtext(?))', [LOCK_CLASS, lockKey]);
        const result = await fn({ query: (sql, params) => run(client, sql, params) });
        await run(client, 'COMMIT', []);
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
          broken = rollbackFailed as Error; // the connection is unusable: it is destroyed, not returned to the pool
        });
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close: async () => {
      if (options.ownsPool) await pool.end();
    },
  };
}

/**
 * SQLite (one process, one connection): statements run synchronously, so every compare-and-set is
 * atomic. A transaction spans awaits, so while one is open every other statement on this connection
 * waits for it (otherwise it would run inside the transaction, and vanish with a rollback).
 * `BEGIN IMMEDIATE` takes the database's write lock, which also serialises other processes.
 */
const MAX_PREPARED = 256;

export function sqliteDriver(db: BetterSqlite3.Database): SqlDriver {
  let open: Promise<void> | undefined;
  // Statements are prepared once per SQL text (the store's are a small fixed set; listings vary only by
  // how many `?` an IN list has): preparing cost as much as running a short query.
  const prepared = new Map<string, BetterSqlite3.Statement>();
  const prepare = (sql: string) => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (prepared.size >= MAX_PREPARED) prepared.delete(prepared.keys().next().value!);
      prepared.set(sql, statement);
    }
    return statement;
  };
  const exec = (sql: string, params: unknown[]) => {
    const statement = prepare(sql);
    if (statement.reader) return { rows: statement.all(...params) as Record<string, unknown>[], rowCount: 0 };
    const info = statement.run(...params);
    return { rows: [], rowCount: info.changes };
  };
  return {
    async query(sql, params) {
      while (open) await open;
      return exec(sql, params);
    },
    async transaction(_lockKey, fn) {
      while (open) await open;
      let finished!: () => void;
      open = new Promise<void>((resolve) => (finished = resolve));
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn({ query: async (sql, params) => exec(sql, params) });
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        open = undefined;
        finished();
      }
    },
    close: async () => void db.close(),
  };
}
