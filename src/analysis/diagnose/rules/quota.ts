/** Namespace quota nearly exhausted: raise the quota or scale down (human; no control-plane endpoint). */
import type { Finding } from '../../types.js';
import { confidenceOf, detailString, groupBy, hasProblem, type Rule, type RuleMatch } from '../common.js';

function isQuota(f: Finding): boolean {
  if (f.kind === 'quota') return true;
  return f.kind === 'capacity' && (detailString([f], 'resource', 'metric') ?? '').toLowerCase().includes('quota');
}

export const quotaExhaustion: Rule = {
  id: 'quota_exhaustion',
  cause: 'quota of namespace <namespace> nearly exhausted',
  specificity: 40,
  match(findings) {
    const groups = groupBy(findings, (f) => (isQuota(f) ? (f.resource.namespace ?? '') : undefined));
    const out: RuleMatch[] = [];
    for (const [ns, group] of groups) {
      if (!hasProblem(group)) continue;
      const resources = [
        ...new Set(group.map((f) => detailString([f], 'quota_resource', 'resource')).filter((r): r is string => r !== undefined)),
      ].sort();
      const nsLabel = ns === '' ? 'the workspace' : `namespace ${ns}`;
      out.push({
        rule: this.id,
        cause: `quota of ${nsLabel} nearly exhausted${resources.length > 0 ? ` (${resources.join(', ')})` : ''}`,
        findings: group,
        subject: { namespace: ns || undefined, name: ns || 'workspace', kind: 'namespace' },
        confidence: confidenceOf(group, 0.35),
        advice: [
          `Raise the ResourceQuota of ${nsLabel} (workspace plan) or scale down / right-size its workloads; new pods will be rejected once it is full.`,
        ],
      });
    }
    return out;
  },
  actions() {
    return []; // raising a quota or choosing what to scale down is a human decision
  },
};
