/** CPU limit too low: CFS throttling of a workload together with a latency regression of the same workload/service. */
import type { Finding } from '../../types.js';
import {
  action,
  confidenceOf,
  detailNumber,
  groupBy,
  groupByWorkload,
  hasProblem,
  label,
  ofKind,
  sameTarget,
  scaleUp,
  uniq,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';

export const cpuLimitTooLow: Rule = {
  id: 'cpu_limit_too_low',
  cause: 'CPU limit of <workload> too low',
  specificity: 70,
  match(findings) {
    const out: RuleMatch[] = [];
    const latencyByNs = groupBy(ofKind(findings, 'latency'), (l) => l.resource.namespace ?? '');
    for (const group of groupByWorkload(findings).values()) {
      const throttling = ofKind(group, 'cpu_throttling');
      if (throttling.length === 0) continue;
      const ns = throttling[0]?.resource.namespace;
      const candidates =
        ns === undefined ? [...latencyByNs.values()].flat() : [...(latencyByNs.get(ns) ?? []), ...(latencyByNs.get('') ?? [])];
      const slow: Finding[] = candidates.filter((l) => throttling.some((t) => sameTarget(t, l)));
      if (slow.length === 0) continue; // throttling alone: left to the fallback (often harmless)
      const matched = uniq([...throttling, ...slow, ...ofKind(group, 'cpu_saturation')]);
      if (!hasProblem(matched)) continue;
      const subject = workloadSubject(matched);
      out.push({
        rule: this.id,
        cause: `CPU limit of ${label(subject)} too low (throttling while latency regresses)`,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, 0.35),
        advice: [`Raise (or remove) the CPU limit of ${label(subject)}, or add replicas to spread the load.`],
      });
    }
    return out;
  },
  actions(m) {
    const limit = detailNumber(m.findings, 'cpu_limit_cores', 'cpu_limit');
    return [
      ...action(
        m,
        'adjust_resources',
        'low',
        `Raise the CPU limit of ${label(m.subject)}: it is throttled while latency regresses`,
        limit !== undefined
          ? { cpu_limit: Math.round(limit * 2 * 1000) / 1000, current_cpu_limit: limit }
          : { cpu_limit: 'raise (current limit unknown)' },
      ),
      ...scaleUp(m, `Add a replica to ${label(m.subject)} to spread the CPU load`),
    ];
  },
};
