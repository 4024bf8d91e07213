/**
 * The metric families the generator emits: names, types and help text as cAdvisor, kube-state-metrics,
 * the kubelet and a typical instrumented app expose them. The query catalog depends on these exact names.
 */

export interface MetricDef {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
}

function def(name: string, type: 'counter' | 'gauge', help: string): MetricDef {
  return { name, type, help };
}

/** One help text for `_bucket`, `_sum` and `_count`: OpenMetrics writes them as one histogram family. */
const HTTP_LATENCY_HELP = 'HTTP request latency in seconds.';

export const M = {
  cpuUsage: def('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.'),
  cfsPeriods: def('container_cpu_cfs_periods_total', 'counter', 'Number of elapsed enforcement period intervals.'),
  cfsThrottled: def('container_cpu_cfs_throttled_periods_total', 'counter', 'Number of throttled period intervals.'),
  memoryWorkingSet: def('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.'),
  oomEvents: def('container_oom_events_total', 'counter', 'Count of out of memory events observed for the container.'),
  netReceive: def('container_network_receive_bytes_total', 'counter', 'Cumulative count of bytes received.'),
  netTransmit: def('container_network_transmit_bytes_total', 'counter', 'Cumulative count of bytes transmitted.'),
  requests: def('kube_pod_container_resource_requests', 'gauge', 'The number of requested resource by a container.'),
  limits: def('kube_pod_container_resource_limits', 'gauge', 'The number of requested limit resource by a container.'),
  restarts: def('kube_pod_container_status_restarts_total', 'counter', 'The number of container restarts per container.'),
  lastTerminated: def(
    'kube_pod_container_status_last_terminated_reason',
    'gauge',
    'Describes the last reason the container was in terminated state.',
  ),
  phase: def('kube_pod_status_phase', 'gauge', 'The pods current phase.'),
  ready: def('kube_pod_status_ready', 'gauge', 'Describes whether the pod is ready to serve requests.'),
  containerInfo: def('kube_pod_container_info', 'gauge', 'Information about a container in a pod.'),
  podInfo: def('kube_pod_info', 'gauge', 'Information about pod.'),
  quota: def('kube_resourcequota', 'gauge', 'Information about resource quota.'),
  pvcUsed: def('kubelet_volume_stats_used_bytes', 'gauge', 'Number of used bytes in the volume.'),
  pvcCapacity: def('kubelet_volume_stats_capacity_bytes', 'gauge', 'Capacity in bytes of the volume.'),
  httpRequests: def('http_requests_total', 'counter', 'Total HTTP requests handled, by status code.'),
  httpBucket: def('http_request_duration_seconds_bucket', 'counter', HTTP_LATENCY_HELP),
  httpSum: def('http_request_duration_seconds_sum', 'counter', HTTP_LATENCY_HELP),
  httpCount: def('http_request_duration_seconds_count', 'counter', HTTP_LATENCY_HELP),
} as const;

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;

/** Prometheus client default latency buckets (seconds); "+Inf" is appended when emitting. */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const TERMINATION_REASONS = ['OOMKilled', 'Error'] as const;

/** CFS enforcement period is 100 ms: 10 periods per second for a container with a CPU limit. */
export const CFS_PERIODS_PER_SECOND = 10;
