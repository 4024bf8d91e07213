/**
 * The two SQL drivers of the remediation store. Built by the composition root (which owns the
 * connections); the store only sees `query`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { SqlDriver } from './store.js';

/** PostgreSQL: `?` placeholders become `$1…$n` (none of our statements has a literal `?`). */
export function postgresDriver(pool: pg.Pool, options: { ownsPool?: boolean } = {}): SqlDriver {
  return {
    async query(sql, params) {
      let n = 0;
      const result = await pool.query(sql.replace(/\?/g, () => `$${++n}`), params);
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
