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
