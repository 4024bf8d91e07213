/**
 * Alerts pushed by Prometheus Alertmanager (its webhook, payload version 4), stored with the monitor's
 * own and grouped into the same incidents. Each alert goes to the workspace its tenant label names;
 * one without it, or with a value that is not a workspace id, is dropped and counted, never guessed.
 * The sender already applied its `for` and its resolve timeout, so a firing alert fires at once and a
 * resolved one resolves at once. Idempotent: an alert's identity is its fingerprint (our own, over its
 * name and labels: the same as the monitor gives the same alert read from Prometheus) and its onset
 * (`startsAt`), so a redelivered payload changes nothing new. Works without the scheduler.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuditLog } from '../audit/event.js';
import { fingerprint } from '../analysis/alerts.js';
import { SeveritySchema, type Severity } from '../analysis/types.js';
import { MONITOR_SUBJECT, noIncidentChanges, type IncidentBook, type IncidentChanges } from './incident-book.js';
import type { MonitorTx, SqlMonitorStore, StoredAlert } from './monitor-store.js';

const LabelMap = z
  .record(z.string().max(128), z.string().max(2048))
  .refine((m) => Object.keys(m).length <= 64, 'at most 64 labels or annotations per alert');

export const AlertmanagerAlertSchema = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: LabelMap,
    annotations: LabelMap.default({}),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.string().max(64).optional(),
    generatorURL: z.string().max(2048).optional(),
    fingerprint: z.string().max(64).optional(),
  })
  .loose();

export const MAX_ALERTS_PER_PAYLOAD = 1000;

/** Alertmanager's webhook payload (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const AlertmanagerPayloadSchema = z
  .object({
    version: z.string().max(16).optional(),
    groupKey: z.string().max(4096).optional(),
    status: z.enum(['firing', 'resolved']),
    receiver: z.string().max(256).optional(),
    alerts: z.array(AlertmanagerAlertSchema).max(MAX_ALERTS_PER_PAYLOAD, `at most ${MAX_ALERTS_PER_PAYLOAD} alerts per payload`),
  })
  .loose();
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayloadSchema>;
type AmAlert = z.infer<typeof AlertmanagerAlertSchema>;

export type DropReason = 'no_tenant_label' | 'invalid_workspace' | 'rate_limited' | 'unknown_resolved';

export interface IntakeReport {
  accepted: number;
  updated: number;
  dropped: number;
  dropped_by_reason: Partial<Record<DropReason, number>>;
  /** Workspaces whose intake rate was exceeded (their alerts are not stored: the sender retries). */
  rate_limited: string[];
}

const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Annotations kept beside the summary: shown to people, and fenced as untrusted text wherever they reach a prompt. */
const KEPT_ANNOTATIONS = ['description', 'runbook_url'] as const;

export interface IntakeOptions {
  store: SqlMonitorStore;
  incidents: IncidentBook;
  audit: AuditLog;
  tenantLabel: string;
  now: () => number;
}

function severityOf(labels: Record<string, string>): Severity {
  const s = labels.severity?.toLowerCase();
  if (s === 'error' || s === 'page' || s === 'critical') return 'critical';
  return SeveritySchema.safeParse(s).success ? (s as Severity) : 'warning';
}

const parseTime = (value: string | undefined): number | undefined => {
  const t = value ? Date.parse(value) : NaN;
  // Alertmanager's "not set" is the zero time (0001-01-01): before 2000 means unset.
  return Number.isFinite(t) && t > 946_684_800_000 ? t : undefined;
};

export class AlertmanagerIntake {
  constructor(private readonly o: IntakeOptions) {}

  /** `admit` says whether a workspace may take another payload now (its per-minute intake rate). */
  async receive(
    payload: AlertmanagerPayload,
    context: { requestId?: string; admit?: (workspaceId: string) => Promise<boolean> } = {},
  ): Promise<IntakeReport> {
    const report: IntakeReport = { accepted: 0, updated: 0, dropped: 0, dropped_by_reason: {}, rate_limited: [] };
    const drop = (reason: DropReason, n = 1) => {
      report.dropped += n;
      report.dropped_by_reason[reason] = (report.dropped_by_reason[reason] ?? 0) + n;
    };
    const byWorkspace = new Map<string, AmAlert[]>();
    for (const alert of payload.alerts) {
      const ws = alert.labels[this.o.tenantLabel];
      if (ws === undefined || ws === '') drop('no_tenant_label');
      else if (!WORKSPACE_ID.test(ws)) drop('invalid_workspace');
      else byWorkspace.set(ws, [...(byWorkspace.get(ws) ?? []), alert]);
    }
    for (const [workspaceId, alerts] of byWorkspace) {
      if (context.admit && !(await context.admit(workspaceId))) {
        report.rate_limited.push(workspaceId);
        drop('rate_limited', alerts.length);
        continue;
      }
      const atMs = this.o.now();
      const changes = noIncidentChanges();
      const counts = { accepted: 0, updated: 0, unknownResolved: 0 };
      await this.o.store.inWorkspace(workspaceId, async (tx) => {
        await this.apply(tx, workspaceId, alerts, atMs, changes, counts);
        // Audited in the transaction: an intake whose audit row cannot be written is not stored (the sender retries).
        await this.o.audit.record({
          event_type: 'alert_intake',
          user_id: MONITOR_SUBJECT,
          workspace_id: workspaceId,
          request_id: context.requestId ?? '',
          resource_id: payload.groupKey ? `alertmanager-group/${payload.groupKey.slice(0, 200)}` : '',
          initiated_by: 'system',
          details: {
            source: 'alertmanager',
            receiver: payload.receiver ?? '',
            alerts: alerts.length,
            accepted: counts.accepted,
            updated: counts.updated,
            dropped: counts.unknownResolved,
          },
        });
      });
      await this.o.incidents.afterCommit(workspaceId, atMs, changes);
      report.accepted += counts.accepted;
      report.updated += counts.updated;
      if (counts.unknownResolved > 0) drop('unknown_resolved', counts.unknownResolved);
    }
    return report;
  }

  private async apply(
    tx: MonitorTx,
    workspaceId: string,
    alerts: AmAlert[],
    atMs: number,
    changes: IncidentChanges,
    counts: { accepted: number; updated: number; unknownResolved: number },
  ): Promise<void> {
    const stored = await tx.activeAlerts(workspaceId);
    const active = new Map(stored.map((a) => [a.fingerprint, a]));
    const changed = new Set<StoredAlert>();
    const fresh = new Set<StoredAlert>();
    for (const am of alerts) {
      const { alertname = 'unnamed', ...labels } = am.labels;
      const fp = fingerprint(alertname, labels);
      const startedAtMs = parseTime(am.startsAt) ?? atMs;
      const annotations = Object.fromEntries(KEPT_ANNOTATIONS.filter((k) => am.annotations[k]).map((k) => [k, am.annotations[k]!]));
      const described = {
        source: 'alertmanager' as const,
        name: alertname,
        severity: severityOf(am.labels),
        summary: (am.annotations.summary ?? am.annotations.description ?? alertname).slice(0, 1000),
        labels,
        annotations,
      };
      const prev = active.get(fp);
      if (am.status === 'resolved') {
        if (!prev) {
          // Already resolved (a redelivery), or never seen: nothing to resolve.
          if (!(await tx.hasEpisode(workspaceId, fp, startedAtMs))) counts.unknownResolved++;
          continue;
        }
        Object.assign(prev, described, {
          state: 'resolved',
          misses: 0,
          resolvedAtMs: parseTime(am.endsAt) ?? atMs,
          lastEvaluatedAtMs: atMs,
        });
        changed.add(prev);
        counts.updated++;
        continue;
      }
      if (prev) {
        Object.assign(prev, described, {
          state: 'firing',
          firedAtMs: prev.firedAtMs ?? atMs,
          startedAtMs: Math.min(prev.startedAtMs, startedAtMs),
          lastSeenAtMs: atMs,
          lastEvaluatedAtMs: atMs,
        });
        changed.add(prev);
        counts.updated++;
        continue;
      }
      // A firing alert of an episode that already resolved here is a stale redelivery.
      if (await tx.hasEpisode(workspaceId, fp, startedAtMs)) {
        counts.updated++;
        continue;
      }
      const alert: StoredAlert = {
        ...described,
        id: randomUUID(),
        workspaceId,
        fingerprint: fp,
        state: 'firing',
        hits: 1,
        misses: 0,
        startedAtMs: Math.min(startedAtMs, atMs),
        firedAtMs: atMs,
        resolvedAtMs: null,
        lastSeenAtMs: atMs,
        lastEvaluatedAtMs: atMs,
        incidentId: null,
      };
      active.set(fp, alert);
      fresh.add(alert);
      counts.accepted++;
    }
    const current = [...active.values()];
    const links = new Map(current.map((a) => [a, a.incidentId]));
    await this.o.incidents.reconcile(tx, workspaceId, current, atMs, changes);
    for (const alert of current) {
      if (fresh.has(alert)) await tx.insertAlert(alert);
      else if (changed.has(alert) || links.get(alert) !== alert.incidentId) await tx.updateAlert(alert);
    }
  }
}
