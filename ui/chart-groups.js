// Which catalog queries belong on one chart. Evidence names one series (`memory_usage_vs_limits{…}`);
// an SRE reads it best next to what it is measured against: the pod's memory beside its request and
// limit, a volume's use beside its capacity. Each group is one request (GET /metrics/query with
// `name` repeated), one unit, one chart.

const GROUPS = [
  {
    title: 'Memory',
    unit: 'bytes',
    queries: [
      { name: 'memory_working_set', label: 'working set', role: 'value' },
      { name: 'memory_requests', label: 'request', role: 'request' },
      { name: 'memory_limits', label: 'limit', role: 'limit' },
    ],
    members: ['memory_working_set', 'memory_usage_vs_limits', 'memory_requests', 'memory_limits'],
  },
  {
    title: 'CPU',
    unit: 'cores',
    queries: [
      { name: 'cpu_usage', label: 'used', role: 'value' },
      { name: 'cpu_requests', label: 'request', role: 'request' },
      { name: 'cpu_limits', label: 'limit', role: 'limit' },
    ],
    members: ['cpu_usage', 'cpu_usage_vs_limits', 'cpu_usage_vs_requests', 'cpu_requests', 'cpu_limits'],
  },
  {
    title: 'Volume',
    unit: 'bytes',
    queries: [
      { name: 'pvc_used_bytes', label: 'used', role: 'value' },
      { name: 'pvc_capacity_bytes', label: 'capacity', role: 'limit' },
    ],
    members: ['pvc_usage', 'pvc_used_bytes', 'pvc_capacity_bytes'],
  },
  {
    title: 'Network',
    unit: 'bytes_per_second',
    queries: [
      { name: 'network_receive', label: 'received', role: 'value' },
      { name: 'network_transmit', label: 'sent', role: 'value' },
    ],
    members: ['network_receive', 'network_transmit'],
  },
];

const TITLES = {
  cpu_throttling: 'CPU throttling',
  restarts: 'Restarts (per hour)',
  oom_kills: 'OOM kills (per hour)',
  pods_not_ready: 'Pods not ready',
  quota_usage: 'Quota used',
  http_request_rate: 'HTTP requests',
  http_error_ratio: 'HTTP 5xx share',
  http_latency_p95: 'HTTP latency p95',
};

/** The chart that shows catalog query `name`: {title, unit, queries}; a lone query charts by itself. */
export function groupOf(name, catalogEntry) {
  const group = GROUPS.find((g) => g.members.includes(name));
  if (group) return group;
  return {
    title: TITLES[name] ?? name.replace(/_/g, ' '),
    unit: catalogEntry?.unit ?? 'count',
    queries: [{ name, label: TITLES[name] ? TITLES[name].toLowerCase() : name.replace(/_/g, ' '), role: 'value' }],
  };
}

// AIOps alerts carry no evidence: the catalog query that shows each alert's condition, to chart it.
export const ALERT_QUERIES = {
  AIOpsOomKill: 'memory_usage_vs_limits',
  AIOpsMemoryGrowth: 'memory_working_set',
  AIOpsRestarts: 'restarts',
  AIOpsCpuThrottling: 'cpu_throttling',
  AIOpsCpuSaturation: 'cpu_usage_vs_limits',
  AIOpsLatency: 'http_latency_p95',
  AIOpsErrors: 'http_error_ratio',
  AIOpsCapacity: 'pvc_usage',
  AIOpsNotReady: 'pods_not_ready',
  AIOpsQuota: 'quota_usage',
  AIOpsEgress: 'network_transmit',
};
