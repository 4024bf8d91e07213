/**
 * Named, documented PromQL for Kubernetes workloads (cAdvisor, kube-state-metrics, kubelet and
 * application metric names). The planner chooses from here; users reach them through the query
 * API with `name=` and filter arguments. Filters are plain equality matchers on Kubernetes names,
 * validated before use; the tenant label is never a filter (the data layer adds it).
 */
import { z } from 'zod';
import type { Expr, Matcher } from './expr.js';
import { renderPromQL, withFilters } from './expr.js';

/** Kubernetes object names (DNS-1123-ish, case-insensitive); only a safety filter, Prometheus decides what matches. */
export const K8S_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
export const FILTER_NAMES = ['namespace', 'pod', 'container', 'service', 'persistentvolumeclaim'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export const CatalogArgsSchema = z.object(
  Object.fromEntries(
    FILTER_NAMES.map((f) => [f, z.string().regex(K8S_NAME, 'must be a Kubernetes object name').optional().describe(`only this ${f}`)]),
  ) as Record<FilterName, z.ZodOptional<z.ZodString>>,
);
export type CatalogArgs = z.infer<typeof CatalogArgsSchema>;

export interface CatalogEntry {
  name: string;
  description: string;
  unit: 'cores' | 'bytes' | 'ratio' | 'count' | 'bytes_per_second' | 'requests_per_second' | 'seconds';
  /** Which filter arguments make sense for this query. */
  filters: readonly FilterName[];
  expr: Expr;
}

const C = { label: 'container', op: '!=', value: '' } as const satisfies Matcher;
const POD_NOT_POD = { label: 'container', op: '!=', value: 'POD' } as const satisfies Matcher;
const BY_CONTAINER = ['namespace', 'pod', 'container'];
const CONTAINER_FILTERS = ['namespace', 'pod', 'container'] as const;
const eq = (label: string, value: string): Matcher => ({ label, op: '=', value });
const sel = (metric: string, ...matchers: Matcher[]): Expr => ({ op: 'select', metric, matchers });
const rate = (metric: string, windowSeconds = 300, ...matchers: Matcher[]): Expr => ({ op: 'rate', metric, matchers, windowSeconds });
const increase = (metric: string, windowSeconds: number, ...matchers: Matcher[]): Expr => ({
  op: 'increase',
  metric,
  matchers,
  windowSeconds,
});
const sum = (by: string[], expr: Expr): Expr => ({ op: 'sum', by, expr });
const ratio = (numerator: Expr, denominator: Expr, on: string[]): Expr => ({ op: 'ratio', numerator, denominator, on });

const cpuUsage = sum(BY_CONTAINER, rate('container_cpu_usage_seconds_total', 300, C, POD_NOT_POD));
const cpuRequests = sum(BY_CONTAINER, sel('kube_pod_container_resource_requests', eq('resource', 'cpu')));
const cpuLimits = sum(BY_CONTAINER, sel('kube_pod_container_resource_limits', eq('resource', 'cpu')));
const memoryWorkingSet = sum(BY_CONTAINER, sel('container_memory_working_set_bytes', C, POD_NOT_POD));
const memoryRequests = sum(BY_CONTAINER, sel('kube_pod_container_resource_requests', eq('resource', 'memory')));
const memoryLimits = sum(BY_CONTAINER, sel('kube_pod_container_resource_limits', eq('resource', 'memory')));
const httpRate = sum(['namespace', 'service'], rate('http_requests_total'));
const BY_PVC = ['namespace', 'persistentvolumeclaim'];
const BY_QUOTA = ['namespace', 'resource'];

const entries: CatalogEntry[] = [
  { name: 'cpu_usage', unit: 'cores', filters: CONTAINER_FILTERS, expr: cpuUsage, description: 'CPU used per container (cores, 5 m rate)' },
  {
    name: 'cpu_requests',
    unit: 'cores',
    filters: CONTAINER_FILTERS,
    expr: cpuRequests,
    description: 'CPU requested per container (cores)',
  },
  {
    name: 'cpu_limits',
    unit: 'cores',
    filters: CONTAINER_FILTERS,
    expr: cpuLimits,
    description: 'CPU limit per container (cores); absent when unlimited',
  },
  {
    name: 'cpu_usage_vs_requests',
    unit: 'ratio',
    filters: CONTAINER_FILTERS,
    expr: ratio(cpuUsage, cpuRequests, BY_CONTAINER),
    description: 'CPU used ÷ requested per container (1 = exactly the request)',
  },
  {
    name: 'cpu_usage_vs_limits',
    unit: 'ratio',
    filters: CONTAINER_FILTERS,
    expr: ratio(cpuUsage, cpuLimits, BY_CONTAINER),
    description: 'CPU used ÷ limit per container (near 1 = pinned at the limit)',
  },
  {
    name: 'cpu_throttling',
    unit: 'ratio',
    filters: CONTAINER_FILTERS,
    expr: ratio(
      sum(BY_CONTAINER, rate('container_cpu_cfs_throttled_periods_total')),
      sum(BY_CONTAINER, rate('container_cpu_cfs_periods_total')),
      BY_CONTAINER,
    ),
    description: 'Share of CFS periods in which the container was throttled (0-1)',
  },
  {
    name: 'memory_working_set',
    unit: 'bytes',
    filters: CONTAINER_FILTERS,
    expr: memoryWorkingSet,
    description: 'Memory working set per container (what the OOM killer looks at)',
  },
  {
    name: 'memory_requests',
    unit: 'bytes',
    filters: CONTAINER_FILTERS,
    expr: memoryRequests,
    description: 'Memory requested per container',
  },
  {
    name: 'memory_limits',
    unit: 'bytes',
    filters: CONTAINER_FILTERS,
    expr: memoryLimits,
    description: 'Memory limit per container; absent when unlimited',
  },
  {
    name: 'memory_usage_vs_limits',
    unit: 'ratio',
    filters: CONTAINER_FILTERS,
    expr: ratio(memoryWorkingSet, memoryLimits, BY_CONTAINER),
    description: 'Working set ÷ memory limit per container (1 = OOM kill)',
  },
  {
    name: 'oom_kills',
    unit: 'count',
    filters: CONTAINER_FILTERS,
    expr: sum(BY_CONTAINER, increase('container_oom_events_total', 3600)),
    description: 'OOM kills per container over the last hour',
  },
  {
    name: 'restarts',
    unit: 'count',
    filters: CONTAINER_FILTERS,
    expr: sum(BY_CONTAINER, increase('kube_pod_container_status_restarts_total', 3600)),
    description: 'Container restarts over the last hour',
  },
  {
    name: 'container_info',
    unit: 'count',
    filters: CONTAINER_FILTERS,
    expr: sel('kube_pod_container_info'),
    description: 'One series per running container with its image (kube-state-metrics kube_pod_container_info), for image policy checks',
  },
  {
    name: 'pod_phase',
    unit: 'count',
    filters: ['namespace'],
    expr: sum(['namespace', 'phase'], sel('kube_pod_status_phase')),
    description: 'Pods per namespace and phase (Pending, Running, Succeeded, Failed, Unknown)',
  },
  {
    name: 'pods_not_ready',
    unit: 'count',
    filters: ['namespace', 'pod'],
    expr: sum(['namespace', 'pod'], sel('kube_pod_status_ready', eq('condition', 'false'))),
    description: '1 for each pod that is not ready',
  },
  {
    name: 'network_receive',
    unit: 'bytes_per_second',
    filters: ['namespace', 'pod'],
    expr: sum(['namespace', 'pod'], rate('container_network_receive_bytes_total')),
    description: 'Bytes received per pod per second',
  },
  {
    name: 'network_transmit',
    unit: 'bytes_per_second',
    filters: ['namespace', 'pod'],
    expr: sum(['namespace', 'pod'], rate('container_network_transmit_bytes_total')),
    description: 'Bytes sent per pod per second (egress)',
  },
  {
    name: 'pvc_used_bytes',
    unit: 'bytes',
    filters: ['namespace', 'persistentvolumeclaim'],
    expr: sum(BY_PVC, sel('kubelet_volume_stats_used_bytes')),
    description: 'Bytes used per persistent volume claim',
  },
  {
    name: 'pvc_capacity_bytes',
    unit: 'bytes',
    filters: ['namespace', 'persistentvolumeclaim'],
    expr: sum(BY_PVC, sel('kubelet_volume_stats_capacity_bytes')),
    description: 'Capacity per persistent volume claim',
  },
  {
    name: 'pvc_usage',
    unit: 'ratio',
    filters: ['namespace', 'persistentvolumeclaim'],
    expr: ratio(sum(BY_PVC, sel('kubelet_volume_stats_used_bytes')), sum(BY_PVC, sel('kubelet_volume_stats_capacity_bytes')), BY_PVC),
    description: 'Used ÷ capacity per persistent volume claim',
  },
  {
    name: 'quota_usage',
    unit: 'ratio',
    filters: ['namespace'],
    expr: ratio(
      sum(BY_QUOTA, sel('kube_resourcequota', eq('type', 'used'))),
      sum(BY_QUOTA, sel('kube_resourcequota', eq('type', 'hard'))),
      BY_QUOTA,
    ),
    description: 'ResourceQuota used ÷ hard per namespace and resource',
  },
  {
    name: 'http_request_rate',
    unit: 'requests_per_second',
    filters: ['namespace', 'service'],
    expr: httpRate,
    description: 'HTTP requests per second per service (where the workload exports http_requests_total)',
  },
  {
    name: 'http_error_ratio',
    unit: 'ratio',
    filters: ['namespace', 'service'],
    expr: ratio(sum(['namespace', 'service'], rate('http_requests_total', 300, { label: 'code', op: '=~', value: '5..' })), httpRate, [
      'namespace',
      'service',
    ]),
    description: 'Share of HTTP requests answered 5xx per service',
  },
  {
    name: 'http_latency_p95',
    unit: 'seconds',
    filters: ['namespace', 'service'],
    expr: {
      op: 'histogram_quantile',
      quantile: 0.95,
      expr: sum(['le', 'namespace', 'service'], rate('http_request_duration_seconds_bucket')),
    },
    description: '95th percentile HTTP latency per service (from http_request_duration_seconds)',
  },
];

export const QUERY_CATALOG: ReadonlyMap<string, CatalogEntry> = new Map(entries.map((e) => [e.name, e]));

export class CatalogError extends Error {}

/** The expression of a catalog query with its filters applied, or a CatalogError that says what is wrong. */
export function resolveCatalogQuery(name: string, args: CatalogArgs): { entry: CatalogEntry; expr: Expr } {
  const entry = QUERY_CATALOG.get(name);
  if (!entry) throw new CatalogError(`unknown catalog query "${name}"; known: ${[...QUERY_CATALOG.keys()].join(', ')}`);
  const filters: Matcher[] = [];
  for (const f of FILTER_NAMES) {
    const value = args[f];
    if (value === undefined) continue;
    if (!entry.filters.includes(f))
      throw new CatalogError(`catalog query "${name}" takes no "${f}" filter (it takes: ${entry.filters.join(', ') || 'none'})`);
    filters.push(eq(f, value));
  }
  return { entry, expr: withFilters(entry.expr, filters) };
}

/** PromQL of a catalog query (before tenant enforcement, which the data layer always applies). */
export function catalogPromQL(name: string, args: CatalogArgs = {}): string {
  return renderPromQL(resolveCatalogQuery(name, args).expr);
}
