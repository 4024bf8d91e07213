/**
 * Which analysis runs a workspace has had, newest first: the checkpoints are keyed by run id only
 * (LangGraph's threads), so listing "this workspace's runs" needs an index of its own. One row per
 * run, written when the run starts (who, what, when); everything else — status, diagnosis — is read
 * from the run's checkpoint when listed, so the index never disagrees with the run. It lives beside
 * the checkpoints and leases (the table `aiops_run_index`: PostgreSQL with DATABASE_URL, the
 * checkpoints' SQLite file otherwise), or in memory when the checkpoints are (tests).
 */
import { schemaOnce } from '../storage/schema-once.js';
import type { SqlDriver } from '../storage/sql-drivers.js';

export interface RunIndexEntry {
  runId: string;
  workspaceId: string;
  analysisType: string;
  /** The token's subject that started it (the monitor's own for its investigations). */
  requestedBy: string;
  startedAtMs: number;
}

/** A position in the newest-first listing: the last row's start time and run id. */
export interface RunIndexCursor {
  atMs: number;
  id: string;
}

export interface RunIndex {
  record(entry: RunIndexEntry): Promise<void>;
  /** The workspace's runs, newest first, after `after`; never another workspace's. */
  list(workspaceId: string, page: { after?: RunIndexCursor; limit: number }): Promise<RunIndexEntry[]>;
  close(): Promise<void>;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS aiops_run_index (
     run_id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL,
     analysis_type TEXT NOT NULL,
     requested_by TEXT NOT NULL,
     started_at_ms BIGINT NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS aiops_run_index_by_ws ON aiops_run_index (workspace_id, started_at_ms, run_id)',
];

export class SqlRunIndex implements RunIndex {
  private readonly ready: () => Promise<void>;

  constructor(private readonly db: SqlDriver) {
    this.ready = schemaOnce(db, 'run_index', SCHEMA, { locked: false }); // on SQLite, the checkpointer's connection
  }

  async record(e: RunIndexEntry): Promise<void> {
    await this.ready();
    await this.db.query(
      `INSERT INTO aiops_run_index (run_id, workspace_id, analysis_type, requested_by, started_at_ms) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id) DO NOTHING`,
      [e.runId, e.workspaceId, e.analysisType, e.requestedBy, e.startedAtMs],
    );
  }

  async list(workspaceId: string, page: { after?: RunIndexCursor; limit: number }): Promise<RunIndexEntry[]> {
    await this.ready();
    const where = ['workspace_id = ?'];
    const params: unknown[] = [workspaceId];
    if (page.after) {
      where.push('(started_at_ms < ? OR (started_at_ms = ? AND run_id < ?))');
      params.push(page.after.atMs, page.after.atMs, page.after.id);
    }
    const { rows } = await this.db.query(
      `SELECT run_id, workspace_id, analysis_type, requested_by, started_at_ms FROM aiops_run_index
       WHERE ${where.join(' AND ')} ORDER BY started_at_ms DESC, run_id DESC LIMIT ?`,
      [...params, page.limit],
    );
    return rows.map((r) => ({
      runId: String(r.run_id),
      workspaceId: String(r.workspace_id),
      analysisType: String(r.analysis_type),
      requestedBy: String(r.requested_by),
      startedAtMs: Number(r.started_at_ms),
    }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

/** For checkpoints kept in memory (tests, a MemorySaver): the same order and confinement. */
export class MemoryRunIndex implements RunIndex {
  private readonly entries: RunIndexEntry[] = [];

  async record(e: RunIndexEntry): Promise<void> {
    if (!this.entries.some((x) => x.runId === e.runId)) this.entries.push({ ...e });
  }

  async list(workspaceId: string, page: { after?: RunIndexCursor; limit: number }): Promise<RunIndexEntry[]> {
    const newer = (a: RunIndexEntry, b: RunIndexEntry) => b.startedAtMs - a.startedAtMs || (a.runId < b.runId ? 1 : -1);
    const { after } = page;
    return this.entries
      .filter((e) => e.workspaceId === workspaceId)
      .filter((e) => !after || e.startedAtMs < after.atMs || (e.startedAtMs === after.atMs && e.runId < after.id))
      .sort(newer)
      .slice(0, page.limit)
      .map((e) => ({ ...e }));
  }

  async close(): Promise<void> {}
}
