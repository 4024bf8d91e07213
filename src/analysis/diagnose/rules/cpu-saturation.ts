/** CPU saturation (usage pinned at the limit) without the throttling + latency pairing: add capacity. */
import {
  confidenceOf,
  groupByWorkload,
  hasProblem,
  label,
  ofKind,
  scaleUp,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';

export const cpuSaturation: Rule = {
  id: 'cpu_saturation',
  cause: '<workload> CPU-saturated',
  specificity: 45,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(findings).values()) {
      const matched = ofKind(group, 'cpu_saturation');
      if (!hasProblem(matched)) continue;
      const subject = workloadSubject(matched);
      out.push({
        rule: this.id,
        cause: `${label(subject)} CPU-saturated (usage pinned at its limit)`,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, 0.3),
        advice: [`Add replicas to ${label(subject)} (or raise its CPU limit) and check what drives the load.`],
      });
    }
    return out;
  },
  actions(m) {
    return scaleUp(m, `Add a replica to ${label(m.subject)}: its CPU is pinned at its limit`);
  },
};
