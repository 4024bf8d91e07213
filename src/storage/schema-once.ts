/**
 * A store's tables, created on first use: the returned function resolves once `statements` ran, and
 * after a failure runs them again on the next call.
 *
 * Replicas creating the same table at once collide in PostgreSQL's catalog even with IF NOT EXISTS,
 * so by default the statements run under a lock (a transaction on `schema:<name>`). A store on a
 * connection it shares with another writer (the checkpointer's SQLite file: its writes would join the
 * transaction) passes `locked: false`: the statements run as they are and once more if they fail (the
 * loser of the race finds the table on its second try).
 */
import type { SqlDriver } from './sql-drivers.js';

export function schemaOnce(
  db: Pick<SqlDriver, 'query' | 'transaction'>,
  name: string,
  statements: readonly string[],
  { locked = true }: { locked?: boolean } = {},
): () => Promise<void> {
  const run = async (q: Pick<SqlDriver, 'query'>) => {
    for (const statement of statements) await q.query(statement, []);
  };
  const create = locked ? () => db.transaction(`schema:${name}`, run) : () => run(db).catch(() => run(db));
  let created: Promise<void> | undefined;
  return () => {
    created ??= create().catch((err: unknown) => {
      created = undefined;
      throw err;
    });
    return created;
  };
}
