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
   * A read of state that is read far more often than written (the monitor's alerts and incidents,
   * polled by every open console): the same rows as `query`, possibly from a cache that is valid until
   * the database changes. The rows are frozen: map them, never modify them.
   */
  readMostly(sql: string, params: unknown[]): Promise<{ rows: readonly Readonly<Record<string, unknown>>[] }>;
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
    // No cache: other replicas write this database, and asking whether they did costs the round trip a read costs.
    readMostly: (sql, params) => run(pool, sql, params),
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
 * `readMostly` answers from a cache until the database changes, which it can tell only when every
 * write on this connection goes through this driver (a connection shared with another writer, like
 * the run checkpointer's, must not use it).
 */
const MAX_PREPARED = 256;
/** readMostly answers kept (each at most READ_CACHE_MAX_ROWS rows; larger answers are not kept). */
const READ_CACHE_ENTRIES = 256;
const READ_CACHE_MAX_ROWS = 200;

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
  // The database's version as this connection sees it: PRAGMA data_version changes when another
  // connection (another process) commits; our own writes are counted here (the pragma ignores them).
  // Any write, even one rolled back, moves it: a cached read is never older than the last change.
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  let ownWrites = 0;
  const version = () => `${dataVersion.get() as number}:${ownWrites}`;
  const readCache = new Map<string, { version: string; rows: readonly Readonly<Record<string, unknown>>[] }>();
  const exec = (sql: string, params: unknown[]) => {
    const statement = prepare(sql);
    if (statement.reader) return { rows: statement.all(...params) as Record<string, unknown>[], rowCount: 0 };
    ownWrites++;
    const info = statement.run(...params);
    return { rows: [], rowCount: info.changes };
  };
  return {
    async query(sql, params) {
      while (open) await open;
      return exec(sql, params);
    },
    async readMostly(sql, params) {
      while (open) await open;
      const key = `${sql}\0${JSON.stringify(params)}`;
      const now = version();
      const hit = readCache.get(key);
      if (hit?.version === now) return { rows: hit.rows };
      const { rows } = exec(sql, params);
      for (const row of rows) Object.freeze(row);
      readCache.delete(key);
      if (rows.length <= READ_CACHE_MAX_ROWS) {
        if (readCache.size >= READ_CACHE_ENTRIES) readCache.delete(readCache.keys().next().value!);
        readCache.set(key, { version: now, rows: Object.freeze(rows) });
      }
      return { rows };
    },
    async transaction(_lockKey, fn) {
      while (open) await open;
      let finished!: () => void;
      open = new Promise<void>((resolve) => (finished = resolve));
      try {
        ownWrites++;
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
