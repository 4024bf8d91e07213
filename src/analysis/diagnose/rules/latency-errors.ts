/** Latency and/or error-rate regression of a service or workload that no rollout or resource limit explains. */
import { confidenceOf, groupByWorkload, hasProblem, label, ofKind, workloadSubject, type Rule, type RuleMatch } from '../common.js';

export const latencyErrorRegression: Rule = {
  id: 'latency_error_regression',
  cause: 'latency / error regression of <service>',
  specificity: 50,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(ofKind(findings, 'latency', 'errors')).values()) {
      if (!hasProblem(group)) continue;
      const subject = workloadSubject(group);
      subject.kind = group[0]?.resource.service !== undefined && group[0].resource.workload === undefined ? 'service' : subject.kind;
      const lat = group.some((f) => f.kind === 'latency');
      const err = group.some((f) => f.kind === 'errors');
      const what = lat && err ? 'latency and error-rate regression' : lat ? 'latency regression' : 'error-rate regression';
      out.push({
        rule: this.id,
        cause: `${what} of ${label(subject)}`,
        findings: group,
        subject,
        confidence: confidenceOf(group, 0.25),
        advice: [
          `Trace the slow or failing requests of ${label(subject)}: check its downstream dependencies, recent configuration changes and load.`,
        ],
      });
    }
    return out;
  },
  actions() {
    return [];
  },
};
