/**
 * The public shapes of the scenario generator: what a workspace looks like (namespaces, workloads,
 * scripted incidents), the sampling window, and the raw series it produces. Kept apart from the model so
 * callers can import types without pulling in the generator.
 */

export type IncidentKind =
  | 'memory_leak'
  | 'cpu_saturation'
  | 'crash_loop_after_deploy'
  | 'latency_regression'
  | 'pvc_filling'
  | 'noisy_neighbour'
  | 'egress_spike'
  | 'quota_exhaustion'
  | 'over_provisioned'
  | 'mining_pattern';

/** Every incident kind, in a stable order (CLI parsing, test tables). */
export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'memory_leak',
  'cpu_saturation',
  'crash_loop_after_deploy',
  'latency_regression',
  'pvc_filling',
  'noisy_neighbour',
  'egress_spike',
  'quota_exhaustion',
  'over_provisioned',
  'mining_pattern',
];

export function isIncidentKind(value: string): value is IncidentKind {
  return (INCIDENT_KINDS as readonly string[]).includes(value);
}

export interface IncidentSpec {
  kind: IncidentKind;
  namespace: string;
  workload: string;
  /** ms before the window end when it starts */
  startsBeforeEndMs: number;
}

/**
 * One Deployment. Usage figures (`baseCpuCores`, `baseMemoryBytes`, `http.baseRps`) are per replica at the
 * daily mean; the daily cycle swings them ±30 %.
 */
export interface WorkloadSpec {
  name: string;
  replicas: number;
  image: string;
  cpuRequestCores: number;
  cpuLimitCores?: number;
  memoryRequestBytes: number;
  memoryLimitBytes?: number;
  baseCpuCores: number;
  baseMemoryBytes: number;
  http?: { baseRps: number; baseLatencySeconds: number };
  pvc?: { name: string; capacityBytes: number; baseUsedBytes: number };
}

export interface NamespaceSpec {
  name: string;
  workloads: WorkloadSpec[];
  quota?: { cpuCores: number; memoryBytes: number };
}

/**
 * A cause only Kubernetes or security events show (the metrics stay calm: the old pods keep serving while
 * a new ReplicaSet's pods never start; an attacker guesses passwords). Written as `k8s_events` or
 * `security_events` rows by src/logs/demo/.
 */
export interface EventIncidentSpec {
  /** login_brute_force goes to `security_events` (failed logins from one source against the workload's login). */
  kind:
    | 'bad_image'
    | 'failed_scheduling'
    | 'config_error'
    /** k8s_events: the workload's readiness probe answers 503 (its pods drop out of the Service). */
    | 'probe_failure'
    | 'login_brute_force'
    /** otel_logs: the workload's calls to a dependency are refused (connection refused), new since the start. */
    | 'dependency_refused'
    /** otel_logs: the workload logs a configuration error at every request, new since the start. */
    | 'config_error_logs'
    /** otel_logs: a steady error template, as frequent before as now (noise, not an incident). */
    | 'noisy_logs';
  namespace: string;
  workload: string;
  startsBeforeEndMs: number;
  /** bad_image: the reference that cannot be pulled. */
  image?: string;
}

export interface WorkspaceScenario {
  workspaceId: string;
  seed: number;
  namespaces: NamespaceSpec[];
  incidents: IncidentSpec[];
  /** Event-only causes (no metric signal). */
  eventIncidents?: EventIncidentSpec[];
  /** human description + ground truth for evals */
  description: string;
}

/** Samples at startMs, startMs + stepMs, … up to and including endMs. */
export interface TimeWindow {
  startMs: number;
  endMs: number;
  stepMs: number;
}

export interface RawSeries {
  metric: string;
  type: 'counter' | 'gauge';
  help: string;
  labels: Record<string, string>;
  /** unix ms, ascending */
  times: Float64Array;
  values: Float64Array;
}
