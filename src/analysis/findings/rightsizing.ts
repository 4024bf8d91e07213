/**
 * Right-sizing analyser: recommendWithResolved (src/analytics/rightsizing) per container from its CPU
 * and memory usage and current requests/limits; one finding per workload container (the replica
 * needing the most), for over- and under-provisioned ones. Efficiency advice, so `info` unless a
 * request is far below what the container uses. A container with memory trouble (a leak, OOM kills,
 * memory at its limit) gets none (withoutMemoryTrouble): its usage history shows the fault, not what
 * it needs, and "raise its memory" would only feed a leak.
 */
import {
  recommendWithResolved,
  resolveRightsizingOptions,
  type ContainerRecommendation,
  type RightsizingOptions,
} from '../../analytics/rightsizing/index.js';
import type { Finding, ResourceRef, SeriesData } from '../types.js';
import { argMax, containerKey, evidenceAt, makeFinding, pct, resourceOf, round } from './series-utils.js';

export const RIGHTSIZING_QUERIES = [
  'cpu_usage',
  'memory_working_set',
  'cpu_requests',
  'cpu_limits',
  'memory_requests',
  'memory_limits',
  // read by the memory rules right-sizing defers to (withoutMemoryTrouble), when the health analysis does not run
  'oom_kills',
  'memory_usage_vs_limits',
] as const;

/** The analysis window is usually hours, the library's default minimum is a day: short history is noted. */
export const DEFAULT_RIGHTSIZING_OPTIONS: RightsizingOptions = { minHistoryMs: 3 * 3_600_000, minPoints: 50 };

function lastValues(list: readonly SeriesData[] | undefined): Map<string, number> {
  return new Map((list ?? []).map((s) => [containerKey(s.labels), s.values[s.values.length - 1]!]));
}

export function analyseRightsizing(
  byQuery: ReadonlyMap<string, SeriesData[]>,
  options: RightsizingOptions = DEFAULT_RIGHTSIZING_OPTIONS,
): Finding[] {
  const opts = resolveRightsizingOptions(options); // validated once, not per container
  const memory = new Map((byQuery.get('memory_working_set') ?? []).map((s) => [containerKey(s.labels), s]));
  const req = { cpu: lastValues(byQuery.get('cpu_requests')), mem: lastValues(byQuery.get('memory_requests')) };
  const lim = { cpu: lastValues(byQuery.get('cpu_limits')), mem: lastValues(byQuery.get('memory_limits')) };
  const best = new Map<string, { rec: ContainerRecommendation; cpu: SeriesData; mem: SeriesData }>();
  for (const cpu of byQuery.get('cpu_usage') ?? []) {
    const k = containerKey(cpu.labels);
    const mem = memory.get(k);
    if (!mem || !cpu.labels.container) continue;
    const rec = recommendWithResolved(
      {
        container: cpu.labels.container,
        namespace: cpu.labels.namespace,
        pod: cpu.labels.pod,
        cpuUsageCores: { times: cpu.times.map((t) => t * 1000), values: cpu.values },
        memoryWorkingSetBytes: { times: mem.times.map((t) => t * 1000), values: mem.values },
        cpuRequestCores: req.cpu.get(k),
        cpuLimitCores: lim.cpu.get(k),
        memoryRequestBytes: req.mem.get(k),
        memoryLimitBytes: lim.mem.get(k),
      },
      opts,
    );
    if (rec.status !== 'ok' || rec.classification === 'ok') continue;
    const workload = `${cpu.labels.namespace}/${resourceOf(cpu.labels).workload}/${cpu.labels.container}`;
    const known = best.get(workload);
    const need = rec.cpu.recommendedRequest + rec.memory.recommendedRequest / 1e9;
    if (!known || need > known.rec.cpu.recommendedRequest + known.rec.memory.recommendedRequest / 1e9)
      best.set(workload, { rec, cpu, mem });
  }
  return [...best.values()].map(({ rec, cpu, mem }) => toFinding(rec, cpu, mem));
}

const workloadContainer = (r: ResourceRef) => `${r.namespace ?? ''}/${r.workload ?? ''}/${r.container ?? ''}`;

/**
 * The right-sizing findings of containers without memory trouble among `others` (an `oom_kill` or
 * `memory_growth` finding of the same workload container in the same analysis): the one rule that
 * keeps a leaking container from being told to ask for more memory.
 */
export function withoutMemoryTrouble(rightsizing: readonly Finding[], others: readonly Finding[]): Finding[] {
  const troubled = new Set(
    others.filter((f) => f.kind === 'oom_kill' || f.kind === 'memory_growth').map((f) => workloadContainer(f.resource)),
  );
  return rightsizing.filter((f) => f.kind !== 'rightsizing' || !troubled.has(workloadContainer(f.resource)));
}

function toFinding(rec: ContainerRecommendation, cpu: SeriesData, mem: SeriesData): Finding {
  const over = rec.classification === 'over-provisioned';
  const share = Math.max(Math.abs(rec.cpu.savingsShare), Math.abs(rec.memory.savingsShare));
  const farBelow = [rec.cpu, rec.memory].some((r) => r.currentRequest !== null && r.recommendedRequest >= 1.5 * r.currentRequest);
  // Requests far above what is needed, and worth reclaiming (>= 0.1 core or >= 128 MiB), are a real
  // cost problem: 2x is enough evidence over a day of history; on a shorter window (a daily trough
  // can look idle) it takes 4x.
  const shortHistory = rec.cpu.observed.spanMs < 24 * 3_600_000;
  const factor = shortHistory ? 0.25 : 0.5;
  const farAbove =
    (rec.cpu.currentRequest !== null && rec.cpu.recommendedRequest <= factor * rec.cpu.currentRequest && rec.cpu.savings >= 0.1) ||
    (rec.memory.currentRequest !== null &&
      rec.memory.recommendedRequest <= factor * rec.memory.currentRequest &&
      rec.memory.savings >= 128 * 2 ** 20);
  const c = argMax(cpu.values);
  const m = argMax(mem.values);
  const { pod: _pod, ...resource } = resourceOf(cpu.labels);
  return makeFinding({
    kind: 'rightsizing',
    severity: (!over && farBelow) || (over && farAbove) ? 'warning' : 'info',
    title: `${resource.workload}/${rec.container} is ${rec.classification}: CPU ${rec.cpu.display.currentRequest ?? 'unset'} → ${rec.cpu.display.recommendedRequest}, memory ${rec.memory.display.currentRequest ?? 'unset'} → ${rec.memory.display.recommendedRequest}`,
    resource,
    score: Math.min(1, Math.max(0.2, share)),
    evidence: [
      evidenceAt(
        cpu,
        c,
        `peak CPU usage; p95 ${round(rec.cpu.observed.percentile)} cores against a request of ${rec.cpu.display.currentRequest ?? 'none'}`,
      ),
      evidenceAt(mem, m, `peak working set against a memory request of ${rec.memory.display.currentRequest ?? 'none'}`),
    ],
    details: {
      classification: rec.classification,
      cpu: {
        classification: rec.cpu.classification,
        current_request: rec.cpu.currentRequest,
        recommended_request: rec.cpu.recommendedRequest,
        recommended_limit: rec.cpu.recommendedLimit,
        savings_cores: round(rec.cpu.savings),
        savings_share: round(rec.cpu.savingsShare),
        display: rec.cpu.display,
      },
      memory: {
        classification: rec.memory.classification,
        current_request: rec.memory.currentRequest,
        recommended_request: rec.memory.recommendedRequest,
        recommended_limit: rec.memory.recommendedLimit,
        savings_bytes: Math.round(rec.memory.savings),
        savings_share: round(rec.memory.savingsShare),
        display: rec.memory.display,
      },
      savings: { cpu_cores: round(rec.cpu.savings), memory_bytes: Math.round(rec.memory.savings), largest_share: pct(share) },
      notes: rec.notes,
      history_hours: round(rec.cpu.observed.spanMs / 3_600_000, 3),
      short_history: shortHistory,
    },
  });
}
