/**
 * Part of the composition root: what is announced to the workspaces' channels, connected to where it
 * happens: incidents opened and resolved (the monitor's incident book), an investigation's diagnosis
 * (an analysis run of the monitor's identity settling), and remediations awaiting approval, executed,
 * failed or expired (the remediation service's announcements). Event ids derive from what happened,
 * so the same happening announced twice (two replicas, a retry) is delivered once per channel.
 */
import type { RunView } from '../../agents/runs.js';
import type { AuthContext } from '../auth/auth-context.js';
import { stableUuid } from '../audit/stable-id.js';
import { MONITOR_SUBJECT } from '../monitoring/incident-book.js';
import type { StoredIncident } from '../monitoring/monitor-store.js';
import type { RemediationDecided, RemediationDecisions } from '../remediation/decisions.js';
import type { Remediation } from '../remediation/types.js';
import type { NotificationEvent } from '../notify/events.js';
import type { Notifier } from '../notify/notifier.js';
import type { Monitoring } from './monitoring.js';

const incidentObject = (i: StoredIncident) => ({
  incident_id: i.id,
  status: i.status,
  severity: i.severity,
  title: i.title,
  resource: Object.entries(i.resource)
    .map(([k, v]) => `${k}=${v}`)
    .join(', '),
  opened_at: new Date(i.openedAtMs).toISOString(),
  ...(i.resolvedAtMs ? { resolved_at: new Date(i.resolvedAtMs).toISOString() } : {}),
});

export function connectNotificationSources(
  notifier: Notifier,
  sources: { monitoring: Monitoring; decisions: RemediationDecisions; now: () => number },
): { onRunSettled: (view: RunView, auth: AuthContext) => void } {
  const at = () => new Date(sources.now()).toISOString();
  const publish = (event: NotificationEvent) => void notifier.publish(event);

  sources.monitoring.onIncident((incident, action) => {
    if (action === 'investigation_started') return;
    publish({
      id: stableUuid(`incident:${incident.id}:${action}`),
      type: action === 'opened' ? 'incident.opened' : 'incident.resolved',
      workspaceId: incident.workspaceId,
      occurredAt: at(),
      severity: incident.severity,
      title: incident.title,
      object: incidentObject(incident),
      uiPath: `/ui#incident=${incident.id}`,
    });
  });

  const remediationEvent = (
    type: NotificationEvent['type'],
    r: Pick<Remediation, 'id' | 'workspace_id'>,
    object: Record<string, unknown>,
  ) =>
    publish({
      id: stableUuid(`remediation:${r.id}:${type}`),
      type,
      workspaceId: r.workspace_id,
      occurredAt: at(),
      severity: 'warning',
      title: `${type === 'remediation.pending' ? 'Awaiting approval' : type.replace('remediation.', 'Remediation ')}: ${String(object.what ?? r.id)}`,
      object: { remediation_id: r.id, ...object },
      uiPath: `/ui#remediation=${r.id}`,
    });

  sources.decisions.onProposed((r) =>
    remediationEvent('remediation.pending', r, {
      what: r.plan.map((s) => `${s.action_type} ${s.target_resource}`).join('; '),
      risk: r.risk,
      expires_at: r.expires_at,
      requested_by: r.requested_by,
    }),
  );
  sources.decisions.subscribe(async (event: RemediationDecided) => {
    const r = { id: event.remediationId, workspace_id: event.auth.workspaceId };
    if (event.decision.by === 'system:expiry') remediationEvent('remediation.expired', r, { what: event.remediationId });
    else if (event.outcome?.status === 'completed')
      remediationEvent('remediation.executed', r, { what: event.remediationId, approved_by: event.decision.by });
    else if (event.outcome) remediationEvent('remediation.failed', r, { what: event.remediationId, error: event.outcome.error ?? '' });
  });

  return {
    onRunSettled: (view, auth) => {
      // Awaiting approval counts: the diagnosis is done (its proposal is announced as remediation.pending);
      // settling again after the decision is the same event (same id), not delivered twice.
      if (auth.sub !== MONITOR_SUBJECT) return;
      void sources.monitoring.store
        .incidentOfRun(auth.workspaceId, view.run_id)
        .then((incident) => {
          if (!incident) return;
          const top = view.state.diagnosis?.hypotheses[0];
          publish({
            id: stableUuid(`investigation:${view.run_id}:completed`),
            type: 'investigation.completed',
            workspaceId: incident.workspaceId,
            occurredAt: at(),
            severity: incident.severity,
            title: top ? `Likely cause: ${top.cause}` : `Investigation of "${incident.title}" ended ${view.status}`,
            object: {
              incident_id: incident.id,
              run_id: view.run_id,
              status: view.status,
              top_hypothesis: top?.cause ?? '',
              confidence: top?.confidence ?? 0,
              evidence_count: top?.evidence.length ?? 0,
            },
            uiPath: `/ui#incident=${incident.id}`,
          });
        })
        .catch(() => undefined);
    },
  };
}
