/**
 * Where run leases live: the table `aiops_run_leases`, in PostgreSQL when DATABASE_URL is set (every
 * replica sees every lease) or in the SQLite file of the checkpoints otherwise. A lease says which
 * process is executing a run and until when that claim holds; its owner renews it while the run
 * executes. A run whose lease expired has lost its owner: exactly one process claims it, by a
 * compare-and-set on the expiry, and resumes it. The row is deleted when the run stops executing
 * (completed, waiting for approval, or failed), so the table only ever holds runs in flight.
 *
 * Why here and not in Redis with a TTL: "the owner is gone" is only useful to a process that can
 * resume the run, i.e. one that reads the same checkpoints. The lease therefore lives in the store
 * of the checkpoints (same PostgreSQL database, same SQLite file) and shares its fate; Redis is
 * optional and knows nothing about them.
 *
 * Times are each replica's clock (ms): keep the clocks in sync (NTP); a skew between two replicas
 * shortens or lengthens a lease as seen by the other by as much.
 */
import { schemaOnce } from '../storage/schema-once.js';
import type { SqlDriver } from '../storage/sql-drivers.js';

export interface RunLease {
  runId: string;
  workspaceId: string;
  /** The holding process (`host:pid:random`); empty once handed over on shutdown. */
  owner: string;
  expiresAtMs: number;
  /** How many executions the run has had since it was started or resumed by an approval (1 = the first). */
  attempts: number;
  /** What resuming needs that the checkpoint does not hold (JSON; never a token). */
  payload: string;
}

export interface RunLeaseStore {
  /** Resolves when the table can be used (created on first use; retried while it fails). */
  ready(): Promise<void>;
  /** Takes the lease of `runId` for `owner` (a new run, or a run an approval resumes): attempts restart at 1. */
  hold(lease: Omit<RunLease, 'attempts'>): Promise<void>;
  get(runId: string): Promise<RunLease | undefined>;
  /** Extends every lease of `owner` to `expiresAtMs`; returns the run ids it still holds. */
  renew(owner: string, expiresAtMs: number): Promise<string[]>;
  /** Leases that expired at `nowMs` (oldest first). */
  expired(nowMs: number, limit: number): Promise<RunLease[]>;
  /** Compare-and-set: takes an expired lease for `owner`; undefined when it is not expired (any more). */
  claim(runId: string, owner: string, nowMs: number, expiresAtMs: number): Promise<RunLease | undefined>;
  /** Deletes the lease if `owner` still holds it. */
  release(runId: string, owner: string): Promise<void>;
  /** Gives leases up on shutdown: expired at once and owned by nobody, so another process claims them now. */
  handOver(runIds: readonly string[], owner: string): Promise<void>;
  close(): Promise<void>;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS aiops_run_leases (
     run_id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL,
     owner TEXT NOT NULL,
     expires_at_ms BIGINT NOT NULL,
     attempts INTEGER NOT NULL,
     payload TEXT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS aiops_run_leases_expiry ON aiops_run_leases (expires_at_ms)',
  'CREATE INDEX IF NOT EXISTS aiops_run_leases_owner ON aiops_run_leases (owner)',
];

const COLUMNS = 'run_id, workspace_id, owner, expires_at_ms, attempts, payload';

export class SqlRunLeaseStore implements RunLeaseStore {
  /**
   * Twice if need be: replicas starting together race on CREATE … IF NOT EXISTS (PostgreSQL then
   * reports a unique violation in its catalog to the loser, whose second try finds the table). No
   * transaction: on SQLite the connection is the checkpointer's.
   */
  readonly ready: () => Promise<void>;

  constructor(private readonly db: SqlDriver) {
    this.ready = schemaOnce(db, 'run_leases', SCHEMA, { locked: false });
  }

  async hold(lease: Omit<RunLease, 'attempts'>): Promise<void> {
    await this.ready();
    await this.db.query(
      `INSERT INTO aiops_run_leases (${COLUMNS}) VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (run_id) DO UPDATE SET owner = excluded.owner, expires_at_ms = excluded.expires_at_ms, attempts = 1, payload = excluded.payload`,
      [lease.runId, lease.workspaceId, lease.owner, lease.expiresAtMs, lease.payload],
    );
  }

  async get(runId: string): Promise<RunLease | undefined> {
    await this.ready();
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM aiops_run_leases WHERE run_id = ?`, [runId]);
    return rows[0] ? parse(rows[0]) : undefined;
  }

  async renew(owner: string, expiresAtMs: number): Promise<string[]> {
    await this.ready();
    await this.db.query('UPDATE aiops_run_leases SET expires_at_ms = ? WHERE owner = ?', [expiresAtMs, owner]);
    const { rows } = await this.db.query('SELECT run_id FROM aiops_run_leases WHERE owner = ?', [owner]);
    return rows.map((r) => String(r.run_id));
  }

  async expired(nowMs: number, limit: number): Promise<RunLease[]> {
    await this.ready();
    const { rows } = await this.db.query(
      `SELECT ${COLUMNS} FROM aiops_run_leases WHERE expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?`,
      [nowMs, limit],
    );
    return rows.map(parse);
  }

  async claim(runId: string, owner: string, nowMs: number, expiresAtMs: number): Promise<RunLease | undefined> {
    await this.ready();
    // One statement: PostgreSQL re-checks the condition on the row a concurrent claimer just
    // updated (and finds it no longer expired); SQLite runs statements one at a time.
    const { rowCount } = await this.db.query(
      'UPDATE aiops_run_leases SET owner = ?, expires_at_ms = ?, attempts = attempts + 1 WHERE run_id = ? AND expires_at_ms <= ?',
      [owner, expiresAtMs, runId, nowMs],
    );
    if (rowCount !== 1) return undefined;
    const lease = await this.get(runId);
    return lease?.owner === owner ? lease : undefined;
  }

  async release(runId: string, owner: string): Promise<void> {
    await this.ready();
    await this.db.query('DELETE FROM aiops_run_leases WHERE run_id = ? AND owner = ?', [runId, owner]);
  }

  async handOver(runIds: readonly string[], owner: string): Promise<void> {
    await this.ready();
    for (const runId of runIds) {
      await this.db.query("UPDATE aiops_run_leases SET owner = '', expires_at_ms = 0 WHERE run_id = ? AND owner = ?", [runId, owner]);
    }
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function parse(row: Record<string, unknown>): RunLease {
  return {
    runId: String(row.run_id),
    workspaceId: String(row.workspace_id),
    owner: String(row.owner),
    expiresAtMs: Number(row.expires_at_ms),
    attempts: Number(row.attempts),
    payload: String(row.payload),
  };
}
