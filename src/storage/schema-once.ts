/**
 * A store's tables, created on first use: the returned function resolves once `statements` ran, and
 * after a failure runs them again on the next call. Under a lock (`schema:<name>`): replicas creating
 * the same table at once collide in PostgreSQL's catalog even with IF NOT EXISTS.
 */
import type { SqlDriver } from './sql-drivers.js';

export function schemaOnce(db: Pick<SqlDriver, 'transaction'>, name: string, statements: readonly string[]): () => Promise<void> {
  let created: Promise<void> | undefined;
  return () => {
    created ??= db
      .transaction(`schema:${name}`, async (tx) => {
        for (const statement of statements) await tx.query(statement, []);
      })
      .catch((err: unknown) => {
        created = undefined;
        throw err;
      });
    return created;
  };
}
