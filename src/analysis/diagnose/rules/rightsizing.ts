/** Over- (or under-) provisioned workload: adjust requests/limits to usage (human). */
import type { Finding } from '../../types.js';
import { action, confidenceOf, groupByWorkload, hasProblem, label, ofKind, workloadSubject, type Rule, type RuleMatch } from '../common.js';

const PARAMS = ['cpu_request', 'cpu_limit', 'memory_request', 'memory_limit'] as const;

function direction(findings: readonly Finding[]): 'over' | 'under' {
  // The analysers say `classification: under-provisioned`; `direction: under` is accepted too.
  return findings.some((f) => f.details['direction'] === 'under' || f.details['classification'] === 'under-provisioned') ? 'under' : 'over';
}

export const rightsizing: Rule = {
  id: 'rightsizing',
  cause: '<workload> over-provisioned',
  specificity: 20,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(ofKind(findings, 'rightsizing')).values()) {
      if (!hasProblem(group)) continue;
      const subject = workloadSubject(group);
      const dir = direction(group);
      out.push({
        rule: this.id,
        cause: `${label(subject)} ${dir}-provisioned (requests far from usage)`,
        findings: group,
        subject,
        confidence: confidenceOf(group, 0.3),
        advice: [
          `Set the requests/limits of ${label(subject)} to the recommended values (${dir === 'over' ? 'frees capacity and cost' : 'avoids throttling and evictions'}).`,
        ],
      });
    }
    return out;
  },
  actions(m) {
    const params: Record<string, unknown> = {};
    for (const p of PARAMS) {
      for (const f of m.findings) {
        const v = f.details[`recommended_${p}`] ?? f.details[p];
        if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string') {
          params[p] = v;
          break;
        }
      }
    }
    const dir = direction(m.findings);
    return action(
      m,
      'adjust_resources',
      dir === 'over' ? 'low' : 'medium',
      `Set the requests/limits of ${label(m.subject)} to the recommendation (${dir}-provisioned)`,
      params,
    );
  },
};
