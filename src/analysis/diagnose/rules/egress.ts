/** Egress spike: outbound traffic anomaly of a workload, possible data exfiltration. */
import { confidenceOf, groupByWorkload, hasProblem, label, ofKind, workloadSubject, type Rule, type RuleMatch } from '../common.js';

export const egressSpike: Rule = {
  id: 'egress_spike',
  cause: 'egress spike from <workload> (possible exfiltration)',
  specificity: 40,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(ofKind(findings, 'egress')).values()) {
      if (!hasProblem(group)) continue;
      const subject = workloadSubject(group);
      out.push({
        rule: this.id,
        cause: `egress spike from ${label(subject)} (possible data exfiltration)`,
        findings: group,
        subject,
        confidence: confidenceOf(group, 0.25),
        advice: [
          `Check where ${label(subject)} sends traffic (destinations, volume) and restrict its egress with a NetworkPolicy if it is not expected.`,
        ],
      });
    }
    return out;
  },
  actions() {
    return []; // investigation first: containment of an unconfirmed exfiltration is a human decision
  },
};
