/**
 * The one PostgreSQL pool of the process (graph checkpoints, chat threads, remediations). Built only
 * by the composition root; every user shares it, and only the composition root ends it.
 *
 * PostgreSQL closing connections (restart, failover, `pg_terminate_backend`, a proxy's idle timeout)
 * must never crash the process: node-postgres emits `'error'` on the pool for an idle client and on
 * the client itself for a checked-out one between queries, and an `'error'` event without a listener
 * kills Node. Both get a listener here; the broken client is dropped and the next query connects again.
 */
import pg from 'pg';

export function createPostgresPool(
  connectionString: string,
  onError: (err: Error) => void = () => undefined,
  errorLogIntervalMs = 30_000,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    // The checkpointer, chat and remediations used to have 10 each in two pools; one shared pool keeps that capacity.
    max: 20,
    // Bounds waiting for a connection (a free one of the pool, or a new one). A refused connection fails at
    // once whatever this is; 2 s was too tight under CPU contention, when LangGraph writes a step's
    // checkpoint and pending writes in parallel (a turn failed with "timeout exceeded when trying to connect").
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // TCP keep-alive: a connection silently dropped by a proxy or a failover is noticed.
    keepAlive: true,
  });
  let lastReported = 0;
  const report = (err: Error) => {
    const now = Date.now();
    if (now - lastReported >= errorLogIntervalMs) {
      lastReported = now;
      onError(err);
    }
  };
  pool.on('error', report); // idle clients: the pool removes them
  pool.on('connect', (client) => client.on('error', report)); // checked-out clients between queries
  return pool;
}

/** SQLSTATE classes that mean "the server cannot serve us now": connection exception, insufficient resources, operator intervention (shutdown, terminated, starting up), system error. */
const UNAVAILABLE_SQLSTATE = new Set(['08', '53', '57', '58']);

/**
 * Whether a failed query failed because PostgreSQL is unreachable or going away (→ 503 and retry),
 * rather than because of the statement (→ a bug, 500).
 */
export function isPostgresUnavailable(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATE.has(String(err.code).slice(0, 2));
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH…
  // node-postgres's own connection failures carry no code.
  return typeof e?.message === 'string' && /connection|connect|terminated|timeout|not queryable|pool/i.test(e.message);
}
