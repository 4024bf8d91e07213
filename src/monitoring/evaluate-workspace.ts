/**
 * One evaluation of one workspace: observe it, advance every alert's state machine, then let the
 * incident book group and resolve (src/monitoring/incident-book.ts). The state changes and their audit
 * events commit together in one transaction holding the workspace's lock (an audit failure rolls the
 * evaluation back; the next tick does it again, with the same event ids). Alerts Alertmanager sent
 * are not the monitor's to step: they change only when Alertmanager says so (alertmanager-intake.ts).
 */
import { randomUUID } from 'node:crypto';
import { advance, type Transition } from './alert-lifecycle.js';
import { noIncidentChanges, type IncidentBook, type IncidentChanges } from './incident-book.js';
import type { MonitorTx, SqlMonitorStore, StoredAlert } from './monitor-store.js';
import type { ObservedAlert, ObserveWorkspace } from './observe.js';

export { MONITOR_SUBJECT, type Investigator } from './incident-book.js';

export interface EvaluationResult extends IncidentChanges {
  workspaceId: string;
  noData: boolean;
  transitions: Record<Exclude<Transition, 'unchanged'>, number>;
}

export interface EvaluatorOptions {
  store: SqlMonitorStore;
  observe: ObserveWorkspace;
  incidents: IncidentBook;
  /** MONITOR_FOR_EVALUATIONS. */
  forEvaluations: number;
  now: () => number;
}

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
      ...noIncidentChanges(),
    };
    await this.o.store.inWorkspace(workspaceId, (tx) => this.apply(tx, workspaceId, observed.alerts, atMs, result));
    await this.o.incidents.afterCommit(workspaceId, atMs, result);
    return result;
  }

  private async apply(tx: MonitorTx, workspaceId: string, observed: ObservedAlert[], atMs: number, result: EvaluationResult) {
    await tx.markEvaluated(workspaceId, atMs);
    const stored = await tx.activeAlerts(workspaceId);
    const active = new Map(stored.filter((a) => a.source !== 'alertmanager').map((a) => [a.fingerprint, a]));
    // An alert Alertmanager already sent (the same fingerprint) is Alertmanager's: not observed twice.
    const owned = new Set(stored.filter((a) => a.source === 'alertmanager').map((a) => a.fingerprint));
    const seen = new Map(observed.filter((o) => !owned.has(o.fingerprint)).map((o) => [o.fingerprint, o]));
    // Alertmanager's alerts take part in the incidents as they are.
    const current: StoredAlert[] = stored.filter((a) => a.source === 'alertmanager');
    const fresh = new Set<StoredAlert>();
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
        ? {
            source: obs.source,
            name: obs.name,
            severity: obs.severity,
            summary: obs.summary,
            labels: obs.labels,
            annotations: obs.annotations ?? {},
          }
        : {
            source: prev!.source,
            name: prev!.name,
            severity: prev!.severity,
            summary: prev!.summary,
            labels: prev!.labels,
            annotations: prev!.annotations,
          };
      const alert: StoredAlert = {
        ...step.next,
        ...described,
        id: prev?.id ?? randomUUID(),
        workspaceId,
        fingerprint: fp,
        incidentId: prev?.incidentId ?? null,
      };
      current.push(alert);
      if (!prev) fresh.add(alert);
    }
    await this.o.incidents.reconcile(tx, workspaceId, current, atMs, result);
    for (const alert of current) {
      if (fresh.has(alert)) await tx.insertAlert(alert);
      else if (alert.source !== 'alertmanager' || alert.incidentId !== stored.find((s) => s.id === alert.id)?.incidentId)
        await tx.updateAlert(alert);
    }
  }
}
