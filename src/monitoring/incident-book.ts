/**
 * Incidents, whoever changed the alerts (an evaluation of the monitor, or Alertmanager's webhook):
 * firing alerts about the same workload join one open incident; an incident whose alerts have all
 * resolved resolves; opening and resolving are audited inside the caller's transaction (with ids
 * derived from the incident, so a retried transaction records the same events). After the commit,
 * every open incident without a run gets its automatic investigation, claimed first (compare-and-set)
 * so that one incident gets one run however many replicas and webhooks race.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEventInput, AuditLog } from '../audit/event.js';
import { stableUuid } from '../audit/stable-id.js';
import { SEVERITY_RANK } from '../analysis/types.js';
import { shortCause } from '../resilience/dependency-unavailable.js';
import { incidentResourceOf } from './incident-grouping.js';
import type { MonitorTx, SqlMonitorStore, StoredAlert, StoredIncident } from './monitor-store.js';

/** The system identity the monitor acts as (audit `user_id`; the investigation's token subject). */
export const MONITOR_SUBJECT = 'AIOpsAgent';

/** Starts the automatic investigation of an incident: an analysis run as the monitor's identity. */
export interface Investigator {
  start(workspaceId: string, incident: StoredIncident): Promise<{ runId: string }>;
}

export interface IncidentChanges {
  incidentsOpened: StoredIncident[];
  incidentsResolved: StoredIncident[];
  investigationsStarted: number;
  investigationsFailed: number;
}

export const noIncidentChanges = (): IncidentChanges => ({
  incidentsOpened: [],
  incidentsResolved: [],
  investigationsStarted: 0,
  investigationsFailed: 0,
});

export type IncidentAction = 'opened' | 'resolved' | 'investigation_started';

export interface IncidentBookOptions {
  store: SqlMonitorStore;
  audit: AuditLog;
  investigator?: Investigator;
  /** A claimed investigation that has no run after this long is claimed again (its process died). */
  investigationRetryMs: number;
  warn?: (message: string) => void;
  /** Told after each incident change is committed (notifications). */
  onChange?: (incident: StoredIncident, action: IncidentAction, extra: { runId?: string }) => void;
}

const worst = (a: StoredIncident['severity'], b: StoredIncident['severity']) => (SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b);

function titleOf(alert: StoredAlert, resource: Record<string, string>): string {
  const where = resource.workload
    ? ` on ${resource.namespace}/${resource.workload}`
    : resource.namespace
      ? ` in ${resource.namespace}`
      : '';
  return `${alert.name}${where}: ${alert.summary}`.slice(0, 300);
}

export class IncidentBook {
  constructor(private readonly o: IncidentBookOptions) {}

  /**
   * Inside the workspace transaction: `current` is every alert of the workspace that is active or was
   * resolved by this change (their `incidentId` is set here; the caller writes them afterwards).
   */
  async reconcile(tx: MonitorTx, workspaceId: string, current: StoredAlert[], atMs: number, changes: IncidentChanges): Promise<void> {
    const open = await tx.openIncidents(workspaceId);
    const byKey = new Map(open.map((i) => [i.resourceKey, i]));
    const touched = new Set<StoredIncident>();
    for (const alert of current) {
      if (alert.state !== 'firing') continue;
      let incident = alert.incidentId ? open.find((i) => i.id === alert.incidentId) : undefined;
      if (!incident) {
        const { key, resource } = incidentResourceOf(alert.name, alert.labels);
        incident = byKey.get(key);
        if (!incident) {
          incident = {
            id: randomUUID(),
            workspaceId,
            status: 'open',
            severity: alert.severity,
            title: titleOf(alert, resource),
            resourceKey: key,
            resource,
            openedAtMs: atMs,
            resolvedAtMs: null,
            runId: null,
            investigationClaimedAtMs: null,
            investigationError: null,
          };
          byKey.set(key, incident);
          open.push(incident);
          changes.incidentsOpened.push(incident);
        }
        alert.incidentId = incident.id;
      }
      if (worst(incident.severity, alert.severity) !== incident.severity) {
        incident.severity = alert.severity;
        touched.add(incident);
      }
    }
    for (const incident of open) {
      const alive = current.some((a) => a.incidentId === incident.id && a.state !== 'resolved');
      if (!alive && !changes.incidentsOpened.includes(incident)) {
        incident.status = 'resolved';
        incident.resolvedAtMs = atMs;
        changes.incidentsResolved.push(incident);
        touched.add(incident);
      }
    }
    // Their audit events go to the outbox in this transaction: shipped after the commit, gone with a rollback.
    for (const incident of changes.incidentsOpened) {
      await tx.insertIncident(incident);
      const alerts = current.filter((a) => a.incidentId === incident.id).length;
      await tx.enqueueAudit(workspaceId, auditEvent(incident, 'opened', atMs, { alerts }), atMs);
    }
    for (const incident of touched) if (!changes.incidentsOpened.includes(incident)) await tx.updateIncident(incident);
    for (const incident of changes.incidentsResolved) await tx.enqueueAudit(workspaceId, auditEvent(incident, 'resolved', atMs, {}), atMs);
  }

  /**
   * After the commit: ships the outbox to the audit trail (this evaluation's events, and any an earlier
   * one committed but could not ship), tells `onChange`, then makes sure every open incident has its
   * investigation. An audit trail that is down leaves the events in the outbox for the next evaluation.
   */
  async afterCommit(workspaceId: string, atMs: number, changes: IncidentChanges): Promise<void> {
    for (const incident of changes.incidentsOpened) this.o.onChange?.(incident, 'opened', {});
    for (const incident of changes.incidentsResolved) this.o.onChange?.(incident, 'resolved', {});
    if (this.o.investigator) await this.investigate(workspaceId, atMs, changes);
    await this.shipAudit(workspaceId).catch((err: unknown) =>
      this.o.warn?.(`incident audit events of ${workspaceId} wait in the outbox (shipped next evaluation): ${shortCause(err)}`),
    );
  }

  private async investigate(workspaceId: string, atMs: number, changes: IncidentChanges): Promise<void> {
    const staleBefore = atMs - this.o.investigationRetryMs;
    for (const incident of await this.o.store.awaitingInvestigation(workspaceId, staleBefore)) {
      if (!(await this.o.store.claimInvestigation(workspaceId, incident.id, atMs, staleBefore))) continue;
      try {
        const { runId } = await this.o.investigator!.start(workspaceId, incident);
        // The run and its audit event in one transaction (the event is shipped with the outbox).
        await this.o.store.inWorkspace(workspaceId, async (tx) => {
          await tx.setInvestigationRun(workspaceId, incident.id, runId);
          await tx.enqueueAudit(workspaceId, auditEvent(incident, 'investigation_started', atMs, { run_id: runId }), atMs);
        });
        changes.investigationsStarted++;
        this.o.onChange?.({ ...incident, runId }, 'investigation_started', { runId });
      } catch (err) {
        changes.investigationsFailed++;
        const why = shortCause(err);
        this.o.warn?.(`investigation of incident ${incident.id} in ${workspaceId} did not start (retried later): ${why}`);
        await this.o.store.recordInvestigation(workspaceId, incident.id, { error: why }).catch(() => undefined);
      }
    }
  }

  /**
   * Ships every workspace's outbox (the sweep): events an evaluation or a webhook committed while the
   * audit trail refused them, which would otherwise wait for that workspace's next change or evaluation
   * (never, for a workspace only Alertmanager writes to, or with the monitor off). Under each workspace's
   * lock, so a sweep racing an evaluation, or another replica's sweep, ships each event once.
   * Returns the workspaces whose outbox is still not empty (the audit trail is still refusing).
   */
  async shipOutboxes(): Promise<string[]> {
    const waiting: string[] = [];
    for (const workspaceId of await this.o.store.workspacesWithOutbox(OUTBOX_SWEEP_WORKSPACES)) {
      await this.shipAudit(workspaceId).catch((err: unknown) => {
        waiting.push(workspaceId);
        this.o.warn?.(`incident audit events of ${workspaceId} still wait in the outbox: ${shortCause(err)}`);
      });
    }
    return waiting;
  }

  /**
   * Under the workspace's lock, like the evaluation: replicas finishing evaluations of one workspace
   * at once ship each event once. A crash between the audit taking an event and the delete ships it
   * again later, with the same event id (stored once).
   */
  private async shipAudit(workspaceId: string): Promise<void> {
    const failure = await this.o.store.inWorkspace(workspaceId, async (tx) => {
      for (;;) {
        const batch = await tx.pendingAudit(workspaceId, OUTBOX_BATCH);
        const shipped: string[] = [];
        try {
          for (const { eventId, event } of batch) {
            await this.o.audit.record(event);
            shipped.push(eventId);
          }
        } catch (err) {
          await tx.shippedAudit(workspaceId, shipped); // what the audit took is not shipped again
          return err;
        }
        await tx.shippedAudit(workspaceId, shipped);
        if (batch.length < OUTBOX_BATCH) return undefined;
      }
    });
    if (failure) throw failure;
  }
}

const OUTBOX_BATCH = 100;
/** Workspaces one sweep ships at most (the rest wait for the next sweep). */
const OUTBOX_SWEEP_WORKSPACES = 500;

function auditEvent(
  incident: StoredIncident,
  action: IncidentAction,
  atMs: number,
  extra: { alerts?: number; run_id?: string },
): AuditEventInput & { event_id: string } {
  return {
    event_type: 'incident',
    // The same event for the same change: shipping it twice (a crash after the audit took it) stores it once.
    event_id: stableUuid(`incident:${incident.id}:${action}`),
    timestamp: atMs,
    user_id: MONITOR_SUBJECT,
    workspace_id: incident.workspaceId,
    resource_id: `incident/${incident.id}`,
    initiated_by: action === 'investigation_started' ? 'AIOpsAgent' : 'system',
    details: {
      incident_id: incident.id,
      action,
      severity: incident.severity,
      title: incident.title,
      resource_key: incident.resourceKey,
      ...extra,
    },
  };
}
