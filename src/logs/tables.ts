/**
 * The tables the logs source reads, as the query builder sees them: the time column, the tenant
 * expression and the filterable fields (argument name → column expression). Expressions here are
 * fixed code; user values never appear in them, only in query parameters.
 */

export interface TableSpec {
  /** Table name inside the logs database. */
  readonly name: string;
  /** The event time (DateTime64). */
  readonly time: string;
  /** The left side of the workspace predicate; may read the `{tenant_key:String}` parameter. */
  readonly tenant: string;
  /** Value of `{tenant_key:String}` (the configured resource attribute), when `tenant` uses it. */
  readonly tenantKey?: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** The platform's `k8s_events` (docs: hexabase-source.md): the workspace is a column. */
export const K8S_EVENTS: TableSpec = {
  name: 'k8s_events',
  time: 'timestamp',
  tenant: 'workspace_id',
  fields: { kind: 'kind', name: 'name', namespace: 'namespace', reason: 'reason', type: 'event_type' },
};

/**
 * The platform's `security_events` (docs: hexabase-source.md): authentication, authorisation and
 * policy events with a `risk_score`; the workspace is a column.
 */
export const SECURITY_EVENTS: TableSpec = {
  name: 'security_events',
  time: 'timestamp',
  tenant: 'workspace_id',
  fields: {
    event_type: 'event_type',
    severity: 'severity',
    user_id: 'user_id',
    source_ip: 'source_ip',
    action: 'action',
    result: 'result',
    resource: 'resource',
    message: 'message',
    risk: 'risk_score',
  },
};

/**
 * The severity number, from the text when the exporter left the number 0 (some log libraries
 * only set the text): OpenTelemetry's 1 TRACE, 5 DEBUG, 9 INFO, 13 WARN, 17 ERROR, 21 FATAL.
 */
export const OTEL_SEVERITY = `if(SeverityNumber > 0, toInt32(SeverityNumber), multiIf(
  upper(SeverityText) IN ('FATAL', 'CRITICAL', 'EMERGENCY', 'ALERT', 'PANIC'), 21,
  upper(SeverityText) IN ('ERROR', 'ERR'), 17,
  upper(SeverityText) IN ('WARN', 'WARNING'), 13,
  upper(SeverityText) IN ('INFO', 'NOTICE', 'INFORMATION'), 9,
  upper(SeverityText) = 'DEBUG', 5,
  upper(SeverityText) = 'TRACE', 1, 0))`;

const resource = (key: string) => `ResourceAttributes['${key}']`;

/** Kubernetes names of an `otel_logs` row, from the k8s attributes processor's resource attributes. */
export const OTEL_K8S = {
  namespace: resource('k8s.namespace.name'),
  pod: resource('k8s.pod.name'),
  container: resource('k8s.container.name'),
  deployment: resource('k8s.deployment.name'),
} as const;

/**
 * The OpenTelemetry Collector ClickHouse exporter's `otel_logs`: the workspace is the resource
 * attribute `tenantAttribute` (LOGS_TENANT_ATTRIBUTE), sent as a parameter too.
 */
export function otelLogsTable(tenantAttribute: string): TableSpec {
  return {
    name: 'otel_logs',
    time: 'Timestamp',
    tenant: 'ResourceAttributes[{tenant_key:String}]',
    tenantKey: tenantAttribute,
    fields: { ...OTEL_K8S, body: 'Body', severity: OTEL_SEVERITY },
  };
}
