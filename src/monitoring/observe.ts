/**
 * What one evaluation sees in a workspace: Prometheus's active alerts for it plus the service's own
 * alerts (the last hour's anomaly and health findings), the same merge GET /alerts used to compute per
 * request, now computed once per evaluation. A workspace whose catalog queries all answer with no
 * series is not healthy but unobserved: it gets an `AIOpsNoData` alert. A workspace whose queries all
 * fail (the metrics source is down) is not observed at all: the evaluation fails and nothing changes,
 * so an outage does not resolve every alert.
 */
import { fingerprint, mergeAlerts } from '../analysis/alerts.js';
import { workspaceFindings } from '../analysis/workspace-findings.js';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import type { MetricsSource, WorkspaceRef } from '../metrics/metrics-source.js';
import type { Observation } from './alert-lifecycle.js';
import type { StoredAlert } from './monitor-store.js';

/** What an evaluation saw of one alert: its identity and description as stored, and the observation. */
export interface ObservedAlert
  extends Observation, Pick<StoredAlert, 'fingerprint' | 'source' | 'name' | 'severity' | 'summary' | 'labels'> {
  annotations?: Record<string, string>;
}

export interface WorkspaceObservation {
  alerts: ObservedAlert[];
  /** True when no catalog query returned a series (the AIOpsNoData alert is among `alerts`). */
  noData: boolean;
  /** Catalog queries that failed while others answered. */
  failedQueries: string[];
}

export const NO_DATA_ALERT = 'AIOpsNoData';
/** The window the service's own alerts are computed over (as GET /alerts always did). */
const WINDOW_HOURS = 1;

export type ObserveWorkspace = (ws: WorkspaceRef, atMs: number, signal?: AbortSignal) => Promise<WorkspaceObservation>;

export function metricsObserver(metrics: MetricsSource, engine: FindingsEngine): ObserveWorkspace {
  return async (ws, atMs, signal) => {
    const [prometheus, found] = await Promise.all([
      metrics.alerts(ws),
      // Throws when every query failed: the source is down, the evaluation fails.
      workspaceFindings(
        metrics,
        ws,
        ['anomaly', 'health'],
        { hours: WINDOW_HOURS, nowMs: atMs },
        { engine, ...(signal ? { signal } : {}) },
      ),
    ]);
    const alerts: ObservedAlert[] = mergeAlerts(prometheus, found.findings).map((a) => {
      const onset = a.started_at ? Date.parse(a.started_at) : NaN;
      return {
        fingerprint: a.fingerprint,
        source: a.source,
        name: a.name,
        severity: a.severity,
        summary: a.summary,
        labels: a.labels,
        ...(Number.isFinite(onset) ? { onsetMs: onset } : {}),
        // Prometheus applies its own `for`: its alerts fire when it says so.
        ...(a.source === 'prometheus' ? { sourceState: a.state } : {}),
      };
    });
    const noData = found.seriesAnalysed === 0;
    if (noData && found.failedQueries.length > 0) {
      // Some queries failed and the others returned nothing: unknown, not "no data".
      throw new Error(`no series and ${found.failedQueries.length} failed catalog queries: ${found.failedQueries.join(', ')}`);
    }
    if (noData) alerts.push(noDataAlert());
    return { alerts, noData, failedQueries: found.failedQueries };
  };
}

function noDataAlert(): ObservedAlert {
  return {
    fingerprint: fingerprint(NO_DATA_ALERT, {}),
    source: 'aiops',
    name: NO_DATA_ALERT,
    severity: 'warning',
    summary:
      `No metrics for this workspace: none of the catalog queries returned a series over the last ${WINDOW_HOURS} h ` +
      "(not scraped, a wrong tenant label, or nothing newer than Prometheus's 5-minute lookback). Nothing can be watched until it has data.",
    labels: {},
  };
}
