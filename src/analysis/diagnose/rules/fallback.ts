/** Any warning/critical finding no other rule explains: reported as is, with low confidence and no action. */
import { confidenceOf, isProblem, workloadOf, type Rule, type RuleMatch } from '../common.js';

export const unexplained: Rule = {
  id: 'unexplained',
  cause: '<kind> on <resource>',
  specificity: 0,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const f of findings) {
      if (!isProblem(f) || f.kind === 'deploy') continue;
      const r = f.resource;
      const name = r.persistentvolumeclaim ?? workloadOf(f) ?? r.namespace ?? 'workspace';
      const where = r.namespace && name !== r.namespace ? `${r.namespace}/${name}` : name;
      out.push({
        rule: this.id,
        cause: `${f.kind.replace(/_/g, ' ')} on ${where}: ${f.title}`,
        findings: [f],
        subject: { namespace: r.namespace, name, kind: 'deployment' },
        confidence: Math.min(0.4, confidenceOf([f], 0.1)),
        advice: [`Review "${f.title}" on ${where}.`],
      });
    }
    return out;
  },
  actions() {
    return [];
  },
};
