/**
 * Where the monitor keeps what it saw, so every replica serves the same alerts and incidents and an
 * evaluation continues where the last one (on any replica) stopped: PostgreSQL in production, SQLite
 * under AIOPS_DATA_DIR for one process. An alert row is one episode of one fingerprint: `active` while
 * pending or firing (at most one per fingerprint and workspace, a unique index), kept as history once
 * resolved. An evaluation changes a workspace's rows in one transaction holding that workspace's lock.
 */
import type { Severity } from '../analysis/types.js';
import type { AuditEventInput } from '../audit/event.js';
import { schemaOnce } from '../storage/schema-once.js';
import type { SqlDriver } from '../storage/sql-drivers.js';
import type { AlertState, LifecycleState } from './alert-lifecycle.js';

export type AlertSource = 'aiops' | 'prometheus' | 'alertmanager';

export interface StoredAlert extends LifecycleState {
  id: string;
  workspaceId: string;
  fingerprint: string;
  source: AlertSource;
  name: string;
  severity: Severity;
  summary: string;
  labels: Record<string, string>;
  /** What the sender said about it beyond the summary (Alertmanager's `description`, `runbook_url`): untrusted text. */
  annotations: Record<string, string>;
  incidentId: string | null;
}

export type IncidentStatus = 'open' | 'resolved';

export interface StoredIncident {
  id: string;
  workspaceId: string;
  status: IncidentStatus;
  severity: Severity;
  title: string;
  /** What groups alerts into this incident (see incident-grouping.ts). */
  resourceKey: string;
  resource: Record<string, string>;
  openedAtMs: number;
  resolvedAtMs: number | null;
  /** The automatic investigation's analysis run, once started. */
  runId: string | null;
  /** When an evaluation claimed the investigation (a claim older than the stale bound may be taken again). */
  investigationClaimedAtMs: number | null;
  investigationError: string | null;
}

export interface WorkspaceSummary {
  /** Open incidents by severity (absent: none). */
  openIncidents: Record<string, number>;
  /** Active alerts by state (`firing`, `pending`). */
  activeAlerts: Record<string, number>;
  /** When the monitor last evaluated the workspace (null: never). */
  lastEvaluatedAtMs: number | null;
}

/** What GET /incidents may ask for; every field but `statuses` and `limit` optional. */
export interface IncidentFilter {
  statuses: readonly IncidentStatus[];
  severity?: Severity;
  namespace?: string;
  workload?: string;
  /** A case-insensitive substring of the title or the resource. */
  text?: string;
  after?: PageCursor;
  limit: number;
}

/** A position in a newest-first listing: the last row's sort time and id. */
export interface PageCursor {
  atMs: number;
  id: string;
}

export interface MonitorTx {
  activeAlerts(workspaceId: string): Promise<StoredAlert[]>;
  insertAlert(alert: StoredAlert): Promise<void>;
  updateAlert(alert: StoredAlert): Promise<void>;
  deleteAlert(workspaceId: string, id: string): Promise<void>;
  /** Whether an episode of this fingerprint with this onset exists (active or resolved). */
  hasEpisode(workspaceId: string, fingerprint: string, startedAtMs: number): Promise<boolean>;
  openIncidents(workspaceId: string): Promise<StoredIncident[]>;
  insertIncident(incident: StoredIncident): Promise<void>;
  updateIncident(incident: StoredIncident): Promise<void>;
  /** This workspace was evaluated at `atMs`. */
  markEvaluated(workspaceId: string, atMs: number): Promise<void>;
  /** Records an audit event to ship once this transaction commits (see the outbox table). */
  enqueueAudit(workspaceId: string, event: AuditEventInput & { event_id: string }, atMs: number): Promise<void>;
  /** The incident's investigation is this run (and no longer in error). */
  setInvestigationRun(workspaceId: string, incidentId: string, runId: string): Promise<void>;
  /** The workspace's audit events waiting to be shipped, oldest first. */
  pendingAudit(workspaceId: string, limit: number): Promise<OutboxEvent[]>;
  /** Shipped: the audit trail has them. */
  shippedAudit(workspaceId: string, eventIds: readonly string[]): Promise<void>;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS aiops_alerts (
     id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     active INTEGER NOT NULL,
     state TEXT NOT NULL,
     source TEXT NOT NULL,
     name TEXT NOT NULL,
     severity TEXT NOT NULL,
     summary TEXT NOT NULL,
     labels TEXT NOT NULL,
     annotations TEXT NOT NULL,
     hits INTEGER NOT NULL,
     misses INTEGER NOT NULL,
     started_at_ms BIGINT NOT NULL,
     fired_at_ms BIGINT,
     resolved_at_ms BIGINT,
     last_seen_at_ms BIGINT NOT NULL,
     last_evaluated_at_ms BIGINT NOT NULL,
     incident_id TEXT)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS aiops_alerts_active ON aiops_alerts (workspace_id, fingerprint) WHERE active = 1`,
  `CREATE INDEX IF NOT EXISTS aiops_alerts_by_time ON aiops_alerts (workspace_id, started_at_ms, id)`,
  `CREATE INDEX IF NOT EXISTS aiops_alerts_by_fingerprint ON aiops_alerts (workspace_id, fingerprint, started_at_ms)`,
  `CREATE INDEX IF NOT EXISTS aiops_alerts_by_incident ON aiops_alerts (workspace_id, incident_id)`,
  `CREATE TABLE IF NOT EXISTS aiops_incidents (
     id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL,
     status TEXT NOT NULL,
     severity TEXT NOT NULL,
     title TEXT NOT NULL,
     resource_key TEXT NOT NULL,
     resource TEXT NOT NULL,
     opened_at_ms BIGINT NOT NULL,
     resolved_at_ms BIGINT,
     run_id TEXT,
     investigation_claimed_at_ms BIGINT,
     investigation_error TEXT)`,
  `CREATE INDEX IF NOT EXISTS aiops_incidents_by_time ON aiops_incidents (workspace_id, opened_at_ms, id)`,
  `CREATE INDEX IF NOT EXISTS aiops_incidents_open ON aiops_incidents (workspace_id) WHERE status = 'open'`,
  // The audit events of an evaluation's changes, written in its transaction and shipped to the audit
  // trail after the commit (a transactional outbox): a rolled-back change leaves no event behind, and a
  // committed one is never without its event (a crash before shipping is shipped by the next evaluation).
  `CREATE TABLE IF NOT EXISTS aiops_monitor_audit_outbox (
     event_id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL,
     created_at_ms BIGINT NOT NULL,
     event TEXT NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS aiops_monitor_audit_outbox_by_ws ON aiops_monitor_audit_outbox (workspace_id, created_at_ms)`,
  // When each workspace was last evaluated (a healthy workspace has no alert rows to tell it).
  `CREATE TABLE IF NOT EXISTS aiops_monitor_workspaces (
     workspace_id TEXT PRIMARY KEY,
     last_evaluated_at_ms BIGINT NOT NULL)`,
];

/** An audit event waiting in the outbox (its id is the audit event's own, so shipping twice stores it once). */
export interface OutboxEvent {
  eventId: string;
  event: AuditEventInput;
}

const ALERT_COLUMNS =
  'id, workspace_id, fingerprint, active, state, source, name, severity, summary, labels, annotations, hits, misses, started_at_ms, fired_at_ms, resolved_at_ms, last_seen_at_ms, last_evaluated_at_ms, incident_id';
const INCIDENT_COLUMNS =
  'id, workspace_id, status, severity, title, resource_key, resource, opened_at_ms, resolved_at_ms, run_id, investigation_claimed_at_ms, investigation_error';

const num = (v: unknown) => Number(v);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function alertRow(a: StoredAlert): unknown[] {
  return [
    a.id,
    a.workspaceId,
    a.fingerprint,
    a.state === 'resolved' ? 0 : 1,
    a.state,
    a.source,
    a.name,
    a.severity,
    a.summary,
    JSON.stringify(a.labels),
    JSON.stringify(a.annotations),
    a.hits,
    a.misses,
    a.startedAtMs,
    a.firedAtMs,
    a.resolvedAtMs,
    a.lastSeenAtMs,
    a.lastEvaluatedAtMs,
    a.incidentId,
  ];
}

function alertOf(r: Record<string, unknown>): StoredAlert {
  return {
    id: String(r.id),
    workspaceId: String(r.workspace_id),
    fingerprint: String(r.fingerprint),
    state: r.state as AlertState,
    source: r.source as AlertSource,
    name: String(r.name),
    severity: r.severity as Severity,
    summary: String(r.summary),
    labels: JSON.parse(String(r.labels)) as Record<string, string>,
    annotations: JSON.parse(String(r.annotations)) as Record<string, string>,
    hits: num(r.hits),
    misses: num(r.misses),
    startedAtMs: num(r.started_at_ms),
    firedAtMs: numOrNull(r.fired_at_ms),
    resolvedAtMs: numOrNull(r.resolved_at_ms),
    lastSeenAtMs: num(r.last_seen_at_ms),
    lastEvaluatedAtMs: num(r.last_evaluated_at_ms),
    incidentId: r.incident_id === null || r.incident_id === undefined ? null : String(r.incident_id),
  };
}

function incidentRow(i: StoredIncident): unknown[] {
  return [
    i.id,
    i.workspaceId,
    i.status,
    i.severity,
    i.title,
    i.resourceKey,
    JSON.stringify(i.resource),
    i.openedAtMs,
    i.resolvedAtMs,
    i.runId,
    i.investigationClaimedAtMs,
    i.investigationError,
  ];
}

function incidentOf(r: Record<string, unknown>): StoredIncident {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    id: String(r.id),
    workspaceId: String(r.workspace_id),
    status: r.status as IncidentStatus,
    severity: r.severity as Severity,
    title: String(r.title),
    resourceKey: String(r.resource_key),
    resource: JSON.parse(String(r.resource)) as Record<string, string>,
    openedAtMs: num(r.opened_at_ms),
    resolvedAtMs: numOrNull(r.resolved_at_ms),
    runId: str(r.run_id),
    investigationClaimedAtMs: numOrNull(r.investigation_claimed_at_ms),
    investigationError: str(r.investigation_error),
  };
}

/** LIKE with `\\` as its escape character, the same in SQLite and PostgreSQL. */
const ESCAPE = "ESCAPE '\\'";
const likeEscape = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(', ');

function txOf(db: Pick<SqlDriver, 'query'>): MonitorTx {
  return {
    async activeAlerts(workspaceId) {
      const { rows } = await db.query(`SELECT ${ALERT_COLUMNS} FROM aiops_alerts WHERE workspace_id = ? AND active = 1`, [workspaceId]);
      return rows.map(alertOf);
    },
    async insertAlert(alert) {
      await db.query(`INSERT INTO aiops_alerts (${ALERT_COLUMNS}) VALUES (${placeholders(19)})`, alertRow(alert));
    },
    async updateAlert(alert) {
      const [id, workspaceId, , ...rest] = alertRow(alert);
      await db.query(
        `UPDATE aiops_alerts SET active = ?, state = ?, source = ?, name = ?, severity = ?, summary = ?, labels = ?, annotations = ?, hits = ?, misses = ?,
           started_at_ms = ?, fired_at_ms = ?, resolved_at_ms = ?, last_seen_at_ms = ?, last_evaluated_at_ms = ?, incident_id = ?
         WHERE id = ? AND workspace_id = ?`,
        [...rest, id, workspaceId],
      );
    },
    async deleteAlert(workspaceId, id) {
      await db.query('DELETE FROM aiops_alerts WHERE id = ? AND workspace_id = ?', [id, workspaceId]);
    },
    async hasEpisode(workspaceId, fingerprint, startedAtMs) {
      const { rows } = await db.query(
        'SELECT 1 AS one FROM aiops_alerts WHERE workspace_id = ? AND fingerprint = ? AND started_at_ms = ? LIMIT 1',
        [workspaceId, fingerprint, startedAtMs],
      );
      return rows.length > 0;
    },
    async openIncidents(workspaceId) {
      const { rows } = await db.query(`SELECT ${INCIDENT_COLUMNS} FROM aiops_incidents WHERE workspace_id = ? AND status = 'open'`, [
        workspaceId,
      ]);
      return rows.map(incidentOf);
    },
    async insertIncident(incident) {
      await db.query(`INSERT INTO aiops_incidents (${INCIDENT_COLUMNS}) VALUES (${placeholders(12)})`, incidentRow(incident));
    },
    async markEvaluated(workspaceId, atMs) {
      await db.query(
        `INSERT INTO aiops_monitor_workspaces (workspace_id, last_evaluated_at_ms) VALUES (?, ?)
         ON CONFLICT (workspace_id) DO UPDATE SET last_evaluated_at_ms = excluded.last_evaluated_at_ms`,
        [workspaceId, atMs],
      );
    },
    async enqueueAudit(workspaceId, event, atMs) {
      await db.query(
        'INSERT INTO aiops_monitor_audit_outbox (event_id, workspace_id, created_at_ms, event) VALUES (?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
        [event.event_id, workspaceId, atMs, JSON.stringify(event)],
      );
    },
    async setInvestigationRun(workspaceId, incidentId, runId) {
      await db.query('UPDATE aiops_incidents SET run_id = ?, investigation_error = NULL WHERE workspace_id = ? AND id = ?', [
        runId,
        workspaceId,
        incidentId,
      ]);
    },
    async pendingAudit(workspaceId, limit) {
      const { rows } = await db.query(
        'SELECT event_id, event FROM aiops_monitor_audit_outbox WHERE workspace_id = ? ORDER BY created_at_ms, event_id LIMIT ?',
        [workspaceId, limit],
      );
      return rows.map((r) => ({ eventId: String(r.event_id), event: JSON.parse(String(r.event)) as AuditEventInput }));
    },
    async shippedAudit(workspaceId, eventIds) {
      if (eventIds.length === 0) return;
      await db.query(`DELETE FROM aiops_monitor_audit_outbox WHERE workspace_id = ? AND event_id IN (${placeholders(eventIds.length)})`, [
        workspaceId,
        ...eventIds,
      ]);
    },
    async updateIncident(incident) {
      // Only what a reconciliation changes: the investigation's columns are claimed and recorded outside
      // the workspace lock, and writing them back from this transaction's earlier read would erase them.
      await db.query('UPDATE aiops_incidents SET status = ?, severity = ?, resolved_at_ms = ? WHERE id = ? AND workspace_id = ?', [
        incident.status,
        incident.severity,
        incident.resolvedAtMs,
        incident.id,
        incident.workspaceId,
      ]);
    },
  };
}

export class SqlMonitorStore {
  /** Creates the tables on first use; a failure is retried on the next call (schema-once.ts). */
  readonly ready: () => Promise<void>;

  constructor(private readonly db: SqlDriver) {
    this.ready = schemaOnce(db, 'monitor', SCHEMA);
  }

  /** One evaluation's changes: one at a time per workspace, across replicas; rolled back if `fn` throws. */
  async inWorkspace<T>(workspaceId: string, fn: (tx: MonitorTx) => Promise<T>): Promise<T> {
    await this.ready();
    return this.db.transaction(`monitor:${workspaceId}`, (tx) => fn(txOf(tx)));
  }

  /** The workspace at a glance: open incidents by severity, active alerts by state, the last evaluation. */
  async summary(workspaceId: string): Promise<WorkspaceSummary> {
    await this.ready();
    const [incidents, alerts, last] = await Promise.all([
      this.db.readMostly(
        "SELECT severity, COUNT(*) AS n FROM aiops_incidents WHERE workspace_id = ? AND status = 'open' GROUP BY severity",
        [workspaceId],
      ),
      this.db.readMostly('SELECT state, COUNT(*) AS n FROM aiops_alerts WHERE workspace_id = ? AND active = 1 GROUP BY state', [
        workspaceId,
      ]),
      this.db.readMostly('SELECT last_evaluated_at_ms AS at FROM aiops_monitor_workspaces WHERE workspace_id = ?', [workspaceId]),
    ]);
    const count = (rows: readonly Readonly<Record<string, unknown>>[], key: string) =>
      Object.fromEntries(rows.map((r) => [String(r[key]), num(r.n)]));
    return {
      openIncidents: count(incidents.rows, 'severity'),
      activeAlerts: count(alerts.rows, 'state'),
      lastEvaluatedAtMs: numOrNull(last.rows[0]?.at),
    };
  }

  /** Newest onset first; `states` filters, `sinceMs` keeps episodes active or resolved at or after it. */
  async listAlerts(
    workspaceId: string,
    filter: { states: readonly AlertState[]; severity?: Severity; sinceMs?: number; after?: PageCursor; limit: number },
  ): Promise<StoredAlert[]> {
    await this.ready();
    const where = ['workspace_id = ?', `state IN (${placeholders(filter.states.length)})`];
    const params: unknown[] = [workspaceId, ...filter.states];
    if (filter.severity) {
      where.push('severity = ?');
      params.push(filter.severity);
    }
    if (filter.sinceMs !== undefined) {
      where.push('(resolved_at_ms IS NULL OR resolved_at_ms >= ?)');
      params.push(filter.sinceMs);
    }
    if (filter.after) {
      where.push('(started_at_ms < ? OR (started_at_ms = ? AND id < ?))');
      params.push(filter.after.atMs, filter.after.atMs, filter.after.id);
    }
    const { rows } = await this.db.readMostly(
      `SELECT ${ALERT_COLUMNS} FROM aiops_alerts WHERE ${where.join(' AND ')} ORDER BY started_at_ms DESC, id DESC LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(alertOf);
  }

  async alertsOfIncident(workspaceId: string, incidentId: string): Promise<StoredAlert[]> {
    await this.ready();
    const { rows } = await this.db.readMostly(
      `SELECT ${ALERT_COLUMNS} FROM aiops_alerts WHERE workspace_id = ? AND incident_id = ? ORDER BY started_at_ms, id`,
      [workspaceId, incidentId],
    );
    return rows.map(alertOf);
  }

  /**
   * Newest first, filtered in the query (so a page holds `limit` matches and the cursor stays exact).
   * Namespace and workload match the incident's grouping key (incident-grouping.ts: `workload:<ns>/<name>`,
   * `namespace:<ns>`); `text` is a case-insensitive substring of the title or of the resource's names
   * (ASCII case folding in SQLite). Every value is a bound parameter, LIKE's wildcards escaped.
   */
  async listIncidents(workspaceId: string, filter: IncidentFilter): Promise<StoredIncident[]> {
    await this.ready();
    const where = ['workspace_id = ?', `status IN (${placeholders(filter.statuses.length)})`];
    const params: unknown[] = [workspaceId, ...filter.statuses];
    if (filter.severity) {
      where.push('severity = ?');
      params.push(filter.severity);
    }
    const { namespace, workload, text } = filter;
    if (namespace && workload) {
      where.push('resource_key = ?');
      params.push(`workload:${namespace}/${workload}`);
    } else if (namespace) {
      where.push(`(resource_key = ? OR resource_key LIKE ? ${ESCAPE})`);
      params.push(`namespace:${namespace}`, `workload:${likeEscape(namespace)}/%`);
    } else if (workload) {
      where.push(`resource_key LIKE ? ${ESCAPE}`);
      params.push(`workload:%/${likeEscape(workload)}`);
    }
    if (text) {
      // After the key's first colon: its names, not its kind (`workload:`), are what a search means.
      const needle = likeEscape(text.toLowerCase());
      where.push(`(LOWER(title) LIKE ? ${ESCAPE} OR LOWER(resource_key) LIKE ? ${ESCAPE})`);
      params.push(`%${needle}%`, `%:%${needle}%`);
    }
    if (filter.after) {
      where.push('(opened_at_ms < ? OR (opened_at_ms = ? AND id < ?))');
      params.push(filter.after.atMs, filter.after.atMs, filter.after.id);
    }
    const { rows } = await this.db.readMostly(
      `SELECT ${INCIDENT_COLUMNS} FROM aiops_incidents WHERE ${where.join(' AND ')} ORDER BY opened_at_ms DESC, id DESC LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map(incidentOf);
  }

  async getIncident(workspaceId: string, id: string): Promise<StoredIncident | undefined> {
    await this.ready();
    const { rows } = await this.db.readMostly(`SELECT ${INCIDENT_COLUMNS} FROM aiops_incidents WHERE workspace_id = ? AND id = ?`, [
      workspaceId,
      id,
    ]);
    return rows[0] ? incidentOf(rows[0]) : undefined;
  }

  /** The incident a run investigates, if any. */
  async incidentOfRun(workspaceId: string, runId: string): Promise<StoredIncident | undefined> {
    await this.ready();
    const { rows } = await this.db.query(`SELECT ${INCIDENT_COLUMNS} FROM aiops_incidents WHERE workspace_id = ? AND run_id = ?`, [
      workspaceId,
      runId,
    ]);
    return rows[0] ? incidentOf(rows[0]) : undefined;
  }

  /**
   * Takes the investigation of an open incident that has none: only one caller wins (compare-and-set on
   * the claim), and a claim older than `staleBeforeMs` (its evaluation died before starting the run) may be taken again.
   */
  async claimInvestigation(workspaceId: string, id: string, nowMs: number, staleBeforeMs: number): Promise<boolean> {
    await this.ready();
    const { rowCount } = await this.db.query(
      `UPDATE aiops_incidents SET investigation_claimed_at_ms = ?
       WHERE workspace_id = ? AND id = ? AND status = 'open' AND run_id IS NULL
         AND (investigation_claimed_at_ms IS NULL OR investigation_claimed_at_ms < ?)`,
      [nowMs, workspaceId, id, staleBeforeMs],
    );
    return rowCount === 1;
  }

  async recordInvestigation(workspaceId: string, id: string, outcome: { runId: string } | { error: string }): Promise<void> {
    await this.ready();
    if ('runId' in outcome) {
      await txOf(this.db).setInvestigationRun(workspaceId, id, outcome.runId);
    } else {
      await this.db.query('UPDATE aiops_incidents SET investigation_error = ? WHERE workspace_id = ? AND id = ?', [
        outcome.error.slice(0, 500),
        workspaceId,
        id,
      ]);
    }
  }

  /** Workspaces whose outbox holds audit events (at most `limit`): what the outbox sweep ships. */
  async workspacesWithOutbox(limit: number): Promise<string[]> {
    await this.ready();
    const { rows } = await this.db.query('SELECT DISTINCT workspace_id FROM aiops_monitor_audit_outbox ORDER BY workspace_id LIMIT ?', [
      limit,
    ]);
    return rows.map((r) => String(r.workspace_id));
  }

  /** Open incidents of the workspace still without a run whose claim (if any) is older than `staleBeforeMs`. */
  async awaitingInvestigation(workspaceId: string, staleBeforeMs: number): Promise<StoredIncident[]> {
    await this.ready();
    const { rows } = await this.db.query(
      `SELECT ${INCIDENT_COLUMNS} FROM aiops_incidents
       WHERE workspace_id = ? AND status = 'open' AND run_id IS NULL AND (investigation_claimed_at_ms IS NULL OR investigation_claimed_at_ms < ?)`,
      [workspaceId, staleBeforeMs],
    );
    return rows.map(incidentOf);
  }

  /** Active and resolved alerts by state, over every workspace (the `aiops_monitor_alerts` gauge; no workspace ids leave here). */
  async alertCountsByState(): Promise<Record<AlertState, number>> {
    await this.ready();
    const { rows } = await this.db.query('SELECT state, COUNT(*) AS n FROM aiops_alerts GROUP BY state', []);
    const counts: Record<AlertState, number> = { pending: 0, firing: 0, resolved: 0 };
    for (const r of rows) if (String(r.state) in counts) counts[r.state as AlertState] = Number(r.n);
    return counts;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
