/**
 * Noisy neighbour: one workload's CPU spike (cpu_saturation, or an anomaly on a CPU series) coinciding
 * with throttling or latency of OTHER workloads in the same namespace: the spiking workload is the cause.
 */
import type { Finding } from '../../types.js';
import {
  action,
  confidenceOf,
  detailString,
  groupByWorkload,
  hasProblem,
  label,
  startOf,
  uniq,
  workloadKey,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';

/** Victims must start within this long of the spike (either side). */
export const COINCIDENCE_MS = 15 * 60_000;

function isCpuSpike(f: Finding): boolean {
  if (f.kind === 'cpu_saturation') return true;
  if (f.kind !== 'anomaly') return false;
  const what = detailString([f], 'metric', 'resource') ?? f.evidence[0]?.series ?? '';
  return what.toLowerCase().includes('cpu');
}

export const noisyNeighbour: Rule = {
  id: 'noisy_neighbour',
  cause: 'noisy neighbour: CPU spike of <workload> degrading other workloads',
  specificity: 85,
  match(findings) {
    const out: RuleMatch[] = [];
    // Victims indexed once by namespace, with their workload key and start time.
    const victimsByNs = new Map<string, { f: Finding; key: string | undefined; t: number }[]>();
    for (const f of findings) {
      if ((f.kind !== 'cpu_throttling' && f.kind !== 'latency') || f.resource.namespace === undefined) continue;
      const t = startOf(f);
      if (t === undefined) continue;
      const list = victimsByNs.get(f.resource.namespace) ?? [];
      list.push({ f, key: workloadKey(f), t });
      victimsByNs.set(f.resource.namespace, list);
    }
    for (const [key, group] of groupByWorkload(findings)) {
      const spikes = group.filter(isCpuSpike);
      const first = spikes[0];
      if (!first || first.resource.namespace === undefined) continue;
      const ns = first.resource.namespace;
      const times = spikes.map(startOf).filter((t): t is number => t !== undefined);
      if (times.length === 0) continue;
      const t0 = Math.min(...times);
      const hit = (victimsByNs.get(ns) ?? []).filter((v) => v.key !== key && Math.abs(v.t - t0) <= COINCIDENCE_MS).map((v) => v.f);
      if (hit.length === 0 || !hasProblem([...spikes, ...hit])) continue;
      const matched = uniq([...spikes, ...hit]);
      const subject = workloadSubject(spikes);
      const others = [...new Set(hit.map((v) => workloadKey(v)?.split('/')[1] ?? v.id))].sort();
      out.push({
        rule: this.id,
        cause: `noisy neighbour: CPU spike of ${label(subject)} degrading ${others.join(', ')} in namespace ${ns}`,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, 0.3 + Math.min(0.1, 0.05 * (others.length - 1))),
        advice: [
          `Set a CPU limit (or lower the one) of ${label(subject)} so it cannot starve ${others.join(', ')}, and find what made it spike.`,
        ],
      });
    }
    return out;
  },
  actions(m) {
    return action(
      m,
      'adjust_resources',
      'medium',
      `Cap the CPU of ${label(m.subject)} (set or lower its CPU limit): its spike degrades its neighbours`,
      { cpu_limit: 'set a limit near its normal peak' },
    );
  },
};
