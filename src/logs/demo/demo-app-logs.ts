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

/**
 * The error lines each log-borne incident writes: one every `everyMin` minutes over `minutes(since)`
 * (`since`: minutes since the incident began, at least 5). The noise runs for two days at a steady
 * rate, the same in any window (up to a day) and the one before it.
 */
const INCIDENT_LINES: Partial<
  Record<EventIncidentSpec['kind'], { everyMin: number; minutes: (since: number) => number; line: (m: number) => string }>
> = {
  dependency_refused: {
    everyMin: 1,
    minutes: (since) => since,
    line: (m) => `dial tcp 10.43.12.${m % 3}:5432: connect: connection refused (retry ${m % 5} of 5)`,
  },
  config_error_logs: {
    everyMin: 1,
    minutes: (since) => since,
    line: (m) => `config error: environment variable PAYMENT_API_URL is not set (request ${m * 13})`,
  },
  noisy_logs: { everyMin: 4, minutes: () => NOISE_HISTORY_MIN, line: (m) => `cache miss for key session:${m * 31}, refilling from origin` },
};

function incidentLines(ws: string, inc: EventIncidentSpec, nowMs: number): OtelLogRow[] {
  const spec = INCIDENT_LINES[inc.kind];
  if (!spec) return [];
  const until = spec.minutes(Math.max(5, Math.round(inc.startsBeforeEndMs / MIN)));
  const lines: OtelLogRow[] = [];
  for (let m = 1; m <= until; m += spec.everyMin)
    lines.push(appLogRow(ws, nowMs - m * MIN, inc.namespace, inc.workload, spec.line(m), 'ERROR'));
  return lines;
}
