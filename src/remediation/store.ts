/**
 * Where remediations live so that every replica sees the same ones: PostgreSQL in production,
 * SQLite under AIOPS_DATA_DIR for a single laptop process. A remediation is one JSON document plus
 * the columns that are searched on. Every change is compare-and-set on a version number, which is
 * what makes two approvals racing on two replicas execute once: only one of them moves the version.
 * Proposing is the one operation that must see the workspace as a whole (one pending remediation per
 * target, a cap on pending ones): it runs in a transaction that holds a per-workspace lock (an
 * advisory lock in PostgreSQL, the write lock in SQLite), so replicas proposing at once take turns.
 */
import type { Remediation } from './types.js';
import { TERMINAL } from './types.js';
import type { SqlDriver } from '../storage/sql-drivers.js';

export type { SqlDriver };

export interface StoredRemediation {
  doc: Remediation;
  version: number;
}

export interface InsertKeys {
  /** The caller's Idempotency-Key: the same key always yields the same remediation. */
  idempotencyKey?: string;
  /** Derived from the request itself: matches only a remediation that is not finished yet. */
  dedupeKey?: string;
}

/** What a proposal sees and does inside its workspace transaction. */
export interface RemediationTx {
  /** The remediation a caller's keys already name (same Idempotency-Key, or the same request while it is unfinished). */
  findByKeys(workspaceId: string, keys: InsertKeys): Promise<StoredRemediation | undefined>;
  /** The workspace's remediations awaiting approval whose window is still open at `nowMs`, oldest first. */
  pendingIn(workspaceId: string, nowMs: number, limit: number): Promise<StoredRemediation[]>;
  /** Inserts, or returns the existing remediation with the same key (`created: false`). */
  insert(doc: Remediation, keys: InsertKeys): Promise<{ created: boolean; record: StoredRemediation }>;
  /** Writes `doc` only if the stored version is still `version`; false when someone else changed it first. */
  update(workspaceId: string, id: string, version: number, doc: Remediation): Promise<boolean>;
}

export interface RemediationStore extends RemediationTx {
  /** Resolves when the store can be used (creates the table on first use; retried while it fails). */
  ready(): Promise<void>;
  /** Runs `fn` in one transaction holding the workspace's lock: one at a time per workspace, across replicas; rolled back if it throws. */
  inWorkspaceTransaction<T>(workspaceId: string, fn: (tx: RemediationTx) => Promise<T>): Promise<T>;
  get(workspaceId: string, id: string): Promise<StoredRemediation | undefined>;
  list(workspaceId: string, filter: { status?: string; limit: number }): Promise<StoredRemediation[]>;
  /** Pending remediations of any workspace whose approval window closed before `nowMs` (for the expiry sweep). */
  pendingExpiredBefore(nowMs: number, limit: number): Promise<StoredRemediation[]>;
  close(): Promise<void>;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS aiops_remediations (
     id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL,
     status TEXT NOT NULL,
     active INTEGER NOT NULL,
     requested_at_ms BIGINT NOT NULL,
     expires_at_ms BIGINT NOT NULL,
     idempotency_key TEXT,
     dedupe_key TEXT,
     version INTEGER NOT NULL,
     doc TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS aiops_remediations_by_workspace ON aiops_remediations (workspace_id, requested_at_ms)`,
  `CREATE INDEX IF NOT EXISTS aiops_remediations_pending ON aiops_remediations (expires_at_ms) WHERE status = 'pending_approval'`,
  `CREATE UNIQUE INDEX IF NOT EXISTS aiops_remediations_idempotency ON aiops_remediations (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
  `CREATE UNIQUE INDEX IF NOT EXISTS aiops_remediations_dedupe ON aiops_remediations (workspace_id, dedupe_key) WHERE active = 1 AND dedupe_key IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS aiops_remediations_pending_by_workspace ON aiops_remediations (workspace_id, expires_at_ms) WHERE status = 'pending_approval'`,
];

/** The statements a proposal runs (inside its workspace transaction, or on their own). */
class SqlProposalStatements implements RemediationTx {
  constructor(private readonly sql: Pick<SqlDriver, 'query'>) {}

  /** Awaited before each statement (the store sets its tables up; inside a transaction they exist). */
  protected async before(): Promise<void> {}

  async findByKeys(workspaceId: string, keys: InsertKeys): Promise<StoredRemediation | undefined> {
    await this.before();
    if (!keys.idempotencyKey && !keys.dedupeKey) return undefined;
    const { rows } = await this.sql.query(
      `SELECT doc, version FROM aiops_remediations WHERE workspace_id = ? AND (idempotency_key = ? OR (active = 1 AND dedupe_key = ?))
       ORDER BY requested_at_ms DESC LIMIT 1`,
      [workspaceId, keys.idempotencyKey ?? null, keys.dedupeKey ?? null],
    );
    return rows[0] ? parse(rows[0]) : undefined;
  }

  async pendingIn(workspaceId: string, nowMs: number, limit: number): Promise<StoredRemediation[]> {
    await this.before();
    const { rows } = await this.sql.query(
      "SELECT doc, version FROM aiops_remediations WHERE workspace_id = ? AND status = 'pending_approval' AND expires_at_ms > ? ORDER BY requested_at_ms LIMIT ?",
      [workspaceId, nowMs, limit],
    );
    return rows.map(parse);
  }

  async insert(doc: Remediation, keys: InsertKeys): Promise<{ created: boolean; record: StoredRemediation }> {
    await this.before();
    const result = await this.sql.query(
      `INSERT INTO aiops_remediations (id, workspace_id, status, active, requested_at_ms, expires_at_ms, idempotency_key, dedupe_key, version, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`,
      [
        doc.id,
        doc.workspace_id,
        doc.status,
        active(doc),
        Date.parse(doc.requested_at),
        Date.parse(doc.expires_at),
        keys.idempotencyKey ?? null,
        keys.dedupeKey ?? null,
        JSON.stringify(doc),
      ],
    );
    if (result.rowCount === 1) return { created: true, record: { doc, version: 1 } };
    const existing = await this.findByKeys(doc.workspace_id, keys);
    // A conflict that no longer matches (it finished in between): insert again, now without the stale duplicate.
    if (!existing) return this.insert(doc, keys);
    return { created: false, record: existing };
  }

  async update(workspaceId: string, id: string, version: number, doc: Remediation): Promise<boolean> {
    await this.before();
    const { rowCount } = await this.sql.query(
      'UPDATE aiops_remediations SET status = ?, active = ?, version = version + 1, doc = ? WHERE workspace_id = ? AND id = ? AND version = ?',
      [doc.status, active(doc), JSON.stringify(doc), workspaceId, id, version],
    );
    return rowCount === 1;
  }
}

export class SqlRemediationStore extends SqlProposalStatements implements RemediationStore {
  private setup: Promise<void> | undefined;

  constructor(private readonly db: SqlDriver) {
    super(db);
  }

  protected override before(): Promise<void> {
    return this.ready();
  }

  ready(): Promise<void> {
    this.setup ??= (async () => {
      for (const statement of SCHEMA) await this.db.query(statement, []);
    })().catch((err: unknown) => {
      this.setup = undefined;
      throw err;
    });
    return this.setup;
  }

  async inWorkspaceTransaction<T>(workspaceId: string, fn: (tx: RemediationTx) => Promise<T>): Promise<T> {
    await this.ready();
    return this.db.transaction(`aiops_remediations:${workspaceId}`, (tx) => fn(new SqlProposalStatements(tx)));
  }

  async get(workspaceId: string, id: string): Promise<StoredRemediation | undefined> {
    await this.ready();
    const { rows } = await this.db.query('SELECT doc, version FROM aiops_remediations WHERE workspace_id = ? AND id = ?', [
      workspaceId,
      id,
    ]);
    return rows[0] ? parse(rows[0]) : undefined;
  }

  async list(workspaceId: string, filter: { status?: string; limit: number }): Promise<StoredRemediation[]> {
    await this.ready();
    const { rows } = filter.status
      ? await this.db.query(
          'SELECT doc, version FROM aiops_remediations WHERE workspace_id = ? AND status = ? ORDER BY requested_at_ms DESC LIMIT ?',
          [workspaceId, filter.status, filter.limit],
        )
      : await this.db.query('SELECT doc, version FROM aiops_remediations WHERE workspace_id = ? ORDER BY requested_at_ms DESC LIMIT ?', [
          workspaceId,
          filter.limit,
        ]);
    return rows.map(parse);
  }

  async pendingExpiredBefore(nowMs: number, limit: number): Promise<StoredRemediation[]> {
    await this.ready();
    const { rows } = await this.db.query(
      "SELECT doc, version FROM aiops_remediations WHERE status = 'pending_approval' AND expires_at_ms <= ? ORDER BY expires_at_ms LIMIT ?",
      [nowMs, limit],
    );
    return rows.map(parse);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

const active = (doc: Remediation) => (TERMINAL.has(doc.status) ? 0 : 1);

function parse(row: Record<string, unknown>): StoredRemediation {
  const doc = JSON.parse(String(row.doc)) as Remediation;
  // Written before proposals were counted: it stands for its own proposal only.
  doc.proposal_count ??= 1;
  doc.proposals ??= [{ source: doc.source, requested_by: doc.requested_by, requested_at: doc.requested_at }];
  return { doc, version: Number(row.version) };
}
