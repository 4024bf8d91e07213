/**
 * The two SQL drivers of the remediation store. Built by the composition root (which owns the
 * connections); the store only sees `query`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { isPostgresUnavailable } from '../clients/postgres.js';
import { DependencyUnavailable } from '../resilience/dependency-unavailable.js';
import type { SqlDriver } from './store.js';

/**
 * PostgreSQL: `?` placeholders become `$1…$n` (none of our statements has a literal `?`). A query
 * that fails because PostgreSQL is unreachable rejects with DependencyUnavailable 'remediation_store'.
 */
export function postgresDriver(pool: pg.Pool, options: { ownsPool?: boolean } = {}): SqlDriver {
  return {
    async query(sql, params) {
      let n = 0;
      let result: pg.QueryResult;
      try {
        result = await pool.query(sql.replace(/\?/g, () => `$${++n}`), params);
      } catch (err) {
        if (isPostgresUnavailable(err)) throw new DependencyUnavailable('remediation_store', { cause: err });
        throw err;
      }
      return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
    },
    close: async () => {
      if (options.ownsPool) await pool.end();
    },
  };
}

/** SQLite (one process): statements run synchronously, so every compare-and-set is atomic. */
export function sqliteDriver(db: BetterSqlite3.Database): SqlDriver {
  return {
    async query(sql, params) {
      const statement = db.prepare(sql);
      if (statement.reader) return { rows: statement.all(...params) as Record<string, unknown>[], rowCount: 0 };
      const info = statement.run(...params);
      return { rows: [], rowCount: info.changes };
    },
    close: async () => void db.close(),
  };
}
