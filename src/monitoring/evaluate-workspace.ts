/**
 * One evaluation of one workspace: observe it, advance every alert's state machine, group firing
 * alerts into incidents, resolve incidents whose alerts all resolved, then make sure every open
 * incident has its automatic investigation. The state changes and their audit events commit together
 * in one transaction holding the workspace's lock (an audit failure rolls the evaluation back; the next
 * tick does it again, with the same event ids). Investigations start after the commit, each claimed
 * first (compare-and-set) so that one incident gets one run however many replicas evaluate.
 */
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/event.js';
import { SEVERITY_RANK } from '../analysis/types.js';
import { shortCause } from '../resilience/dependency-unavailable.js';
import { stableUuid } from '../audit/stable-id.js';
import { advance, type Transition } from './alert-lifecycle.js';
import { incidentResourceOf } from './incident-grouping.js';
import type { MonitorTx, SqlMonitorStore, StoredAlert, StoredIncident } from './monitor-store.js';
import type { ObservedAlert, ObserveWorkspace } from './observe.js';

/** The system identity the monitor acts as (audit `user_id`; the investigation's token subject). */
export const MONITOR_SUBJECT = 'AIOpsAgent';

/** Starts the automatic investigation of an incident: an analysis run as the monitor's identity. */
export interface Investigator {
  start(workspaceId: string, incident: StoredIncident): Promise<{ runId: string }>;
}

export interface EvaluationResult {
  workspaceId: string;
  noData: boolean;
  transitions: Record<Exclude<Transition, 'unchanged'>, number>;
  incidentsOpened: StoredIncident[];
  incidentsResolved: StoredIncident[];
  investigationsStarted: number;
  investigationsFailed: number;
}

export interface EvaluatorOptions {
  store: SqlMonitorStore;
  observe: ObserveWorkspace;
  audit: AuditLog;
  investigator?: Investigator;
  /** MONITOR_FOR_EVALUATIONS. */
  forEvaluations: number;
  /** A claimed investigation that has no run after this long is claimed again (its evaluation died). */
  investigationRetryMs: number;
  now: () => number;
  warn?: (message: string) => void;
}

const worst = (a: StoredIncident['severity'], b: StoredIncident['severity']) => (SEVERITY_RANK[a] >= SEVERITY_RANK[b] ? a : b);

export class WorkspaceEvaluator {
  constructor(private readonly o: EvaluatorOptions) {}

  async evaluate(workspaceId: string, signal?: AbortSignal): Promise<EvaluationResult> {
    const atMs = this.o.now();
    const observed = await this.o.observe({ workspaceId }, atMs, signal);
    signal?.throwIfAborted();
    const result: EvaluationResult = {
      workspaceId,
      noData: observed.noData,
      transitions: { opened: 0, fired: 0, resolved: 0, dropped: 0 },
      incidentsOpened: [],
      incidentsResolved: [],
      investigationsStarted: 0,
      investigationsFailed: 0,
    };
    await this.o.store.inWorkspace(workspaceId, (tx) => this.apply(tx, workspaceId, observed.alerts, atMs, result));
    if (this.o.investigator) await this.investigate(workspaceId, atMs, result);
    return result;
  }

  private async apply(tx: MonitorTx, workspaceId: string, observed: ObservedAlert[], atMs: number, result: EvaluationResult) {
    const active = new Map((await tx.activeAlerts(workspaceId)).map((a) => [a.fingerprint, a]));
    const seen = new Map(observed.map((o) => [o.fingerprint, o]));
    const current: StoredAlert[] = [];
    for (const fp of new Set([...active.keys(), ...seen.keys()])) {
      const prev = active.get(fp);
      const obs = seen.get(fp);
      const step = advance(prev, obs, atMs, this.o.forEvaluations);
      if (step.transition !== 'unchanged') result.transitions[step.transition]++;
      if (!step.next) {
        if (prev) await tx.deleteAlert(workspaceId, prev.id);
        continue;
      }
      const described = obs
        ? { source: obs.source, name: obs.name, severity: obs.severity, summary: obs.summary, labels: obs.labels }
        : { source: prev!.source, name: prev!.name, severity: prev!.severity, summary: prev!.summary, labels: prev!.labels };
      const alert: StoredAlert = {
        ...step.next,
        ...described,
        id: prev?.id ?? randomUUID(),
        workspaceId,
        fingerprint: fp,
        incidentId: prev?.incidentId ?? null,
      };
      current.push(alert);
      if (!prev) await tx.insertAlert(alert);
    }

    const open = await tx.openIncidents(workspaceId);
    const byKey = new Map(open.map((i) => [i.resourceKey, i]));
    const touched = new Set<StoredIncident>();
    for (const alert of current) {
      if (alert.state !== 'firing') continue;
      const { key, resource } = incidentResourceOf(alert.name, alert.labels);
      let incident = alert.incidentId ? open.find((i) => i.id === alert.incidentId) : undefined;
      if (!incident) {
        incident = byKey.get(key);
        if (!incident) {
          incident = {
            id: randomUUID(),
            workspaceId,
            status: 'open',
            severity: alert.severity,
            title:
              `${alert.name}${resource.workload ? ` on ${resource.namespace}/${resource.workload}` : resource.namespace ? ` in ${resource.namespace}` : ''}: ${alert.summary}`.slice(
                0,
                300,
              ),
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
          result.incidentsOpened.push(incident);
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
      if (!alive && !result.incidentsOpened.includes(incident)) {
        incident.status = 'resolved';
        incident.resolvedAtMs = atMs;
        result.incidentsResolved.push(incident);
        touched.add(incident);
      }
    }

    for (const incident of result.incidentsOpened) {
      await tx.insertIncident(incident);
      await this.auditIncident(incident, 'opened', atMs, { alerts: current.filter((a) => a.incidentId === incident.id).length });
    }
    for (const incident of touched) if (!result.incidentsOpened.includes(incident)) await tx.updateIncident(incident);
    for (const incident of result.incidentsResolved) await this.auditIncident(incident, 'resolved', atMs, {});
    for (const alert of current) if (active.has(alert.fingerprint)) await tx.updateAlert(alert);
    // New alerts were inserted before their incident existed: link them now.
    for (const alert of current) if (!active.has(alert.fingerprint) && alert.incidentId) await tx.updateAlert(alert);
  }

  /** Every open incident without a run gets one: claimed first, so only one evaluation starts it. */
  private async investigate(workspaceId: string, atMs: number, result: EvaluationResult): Promise<void> {
    const staleBefore = atMs - this.o.investigationRetryMs;
    for (const incident of await this.o.store.awaitingInvestigation(workspaceId, staleBefore)) {
      if (!(await this.o.store.claimInvestigation(workspaceId, incident.id, atMs, staleBefore))) continue;
      try {
        const { runId } = await this.o.investigator!.start(workspaceId, incident);
        await this.o.store.recordInvestigation(workspaceId, incident.id, { runId });
        await this.auditIncident(incident, 'investigation_started', atMs, { run_id: runId });
        result.investigationsStarted++;
      } catch (err) {
        result.investigationsFailed++;
        const why = shortCause(err);
        this.o.warn?.(`investigation of incident ${incident.id} in ${workspaceId} did not start (retried later): ${why}`);
        await this.o.store.recordInvestigation(workspaceId, incident.id, { error: why }).catch(() => undefined);
      }
    }
  }

  private auditIncident(
    incident: StoredIncident,
    action: 'opened' | 'resolved' | 'investigation_started',
    atMs: number,
    extra: { alerts?: number; run_id?: string },
  ) {
    return this.o.audit.record({
      event_type: 'incident',
      // The same event for the same change, whichever evaluation records it (a rolled-back one retried).
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
    });
  }
}
