/**
 * Application log lines for the demo workspaces, laid out as the OpenTelemetry Collector exporter's
 * `otel_logs` rows (workspace and Kubernetes names as resource attributes): routine INFO access lines of
 * every HTTP workload over the last two days (the noise), and for each log event incident the ERROR
 * lines a real service would write — a dependency refusing connections, a configuration error at every
 * request (both new since the incident started), or a steady error that was as frequent before (noise
 * that must not page anyone). Deterministic for a scenario and a clock.
 */
import type { EventIncidentSpec, WorkspaceScenario } from '../../metrics/scenarios/types.js';
import { dateTime64 } from './platform-ddl.js';

export type OtelLogRow = Record<string, unknown>;

const MIN = 60_000;
/** Two days of routine lines: an analysis of up to a day has a window before it to compare with. */
const HISTORY_MIN = 2 * 24 * 60;
const NOISE_HISTORY_MIN = 2 * 24 * 60;

/** One `otel_logs` row of a workload's container, as the exporter writes it with the k8s attributes processor. */
export function appLogRow(
  ws: string,
  atMs: number,
  namespace: string,
  workload: string,
  body: string,
  severity: 'INFO' | 'WARN' | 'ERROR',
): OtelLogRow {
  const number = severity === 'ERROR' ? 17 : severity === 'WARN' ? 13 : 9;
  return {
    Timestamp: dateTime64(atMs),
    TraceId: '',
    SpanId: '',
    TraceFlags: 0,
    SeverityText: severity,
    SeverityNumber: number,
    ServiceName: workload,
    Body: body,
    ResourceSchemaUrl: '',
    ResourceAttributes: {
      workspace_id: ws,
      'k8s.namespace.name': namespace,
      'k8s.deployment.name': workload,
      'k8s.pod.name': `${workload}-7f8c9d6b5a-${workload.length % 10}x2q`,
      'k8s.container.name': workload,
    },
    ScopeSchemaUrl: '',
    ScopeName: '',
    ScopeVersion: '',
    ScopeAttributes: {},
    LogAttributes: {},
  };
}

export function demoAppLogRows(workspaces: readonly WorkspaceScenario[], nowMs: number): OtelLogRow[] {
  const rows: OtelLogRow[] = [];
  for (const ws of workspaces) {
    for (const ns of ws.namespaces)
      for (const w of ns.workloads) {
        if (!w.http) continue;
        // One access line every 15 minutes: enough to see the noise, little to store.
        for (let m = 2; m <= HISTORY_MIN; m += 15)
          rows.push(
            appLogRow(
              ws.workspaceId,
              nowMs - m * MIN,
              ns.name,
              w.name,
              `GET /${w.name}/items/${(m * 7) % 97} 200 in ${(m % 40) + 3}ms`,
              'INFO',
            ),
          );
      }
    for (const inc of ws.eventIncidents ?? []) rows.push(...incidentLines(ws.workspaceId, inc, nowMs));
  }
  return rows;
}

function incidentLines(ws: string, inc: EventIncidentSpec, nowMs: number): OtelLogRow[] {
  const since = Math.max(5, Math.round(inc.startsBeforeEndMs / MIN));
  const lines: OtelLogRow[] = [];
  if (inc.kind === 'dependency_refused') {
    for (let m = 1; m <= since; m++)
      lines.push(
        appLogRow(
          ws,
          nowMs - m * MIN,
          inc.namespace,
          inc.workload,
          `dial tcp 10.43.12.${m % 3}:5432: connect: connection refused (retry ${m % 5} of 5)`,
          'ERROR',
        ),
      );
  } else if (inc.kind === 'config_error_logs') {
    for (let m = 1; m <= since; m++)
      lines.push(
        appLogRow(
          ws,
          nowMs - m * MIN,
          inc.namespace,
          inc.workload,
          `config error: environment variable PAYMENT_API_URL is not set (request ${m * 13})`,
          'ERROR',
        ),
      );
  } else if (inc.kind === 'noisy_logs') {
    // Every 4 minutes for two days: the same rate in any window (up to a day) and the one before it.
    for (let m = 1; m <= NOISE_HISTORY_MIN; m += 4)
      lines.push(
        appLogRow(ws, nowMs - m * MIN, inc.namespace, inc.workload, `cache miss for key session:${m * 31}, refilling from origin`, 'ERROR'),
      );
  }
  return lines;
}
