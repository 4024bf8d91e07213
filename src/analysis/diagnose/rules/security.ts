/** Other security findings (auth-failure spikes, policy violations …): a security incident to investigate. */
import { confidenceOf, hasProblem, label, workloadOf, type Rule, type RuleMatch } from '../common.js';
import { isMiningFinding } from './mining.js';

export const securityIncident: Rule = {
  id: 'security_incident',
  cause: 'security incident on <workload>',
  specificity: 75,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const f of findings) {
      if (f.kind !== 'security' || isMiningFinding(f) || !hasProblem([f])) continue;
      const subject = { namespace: f.resource.namespace, name: workloadOf(f) ?? f.resource.namespace ?? 'workspace', kind: 'deployment' };
      out.push({
        rule: this.id,
        cause: `security incident on ${label(subject)}: ${f.title}`,
        findings: [f],
        subject,
        confidence: confidenceOf([f], 0.25),
        advice: [`Investigate the security finding on ${label(subject)} ("${f.title}") with the workspace's security contact.`],
      });
    }
    return out;
  },
  actions() {
    return [];
  },
};
