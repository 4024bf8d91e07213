/**
 * Facts present (quality): the root cause among the top hypotheses, on the right resource, with the
 * right severity; "nothing wrong" for a healthy workspace; required and forbidden text in what the
 * operator reads; no forbidden proposed action. Without an analysis run (chat), cause and resource
 * are matched against the answer text.
 */
import { compilePattern } from '../case-schema.js';
import type { Observation } from '../observation.js';
import { lastRun, narrative, proposedActions, resourceNames } from './text.js';
import { result, type Scorer } from './types.js';

const RANK = { info: 0, warning: 1, critical: 2 } as const;

export const factsScorer: Scorer = {
  name: 'facts',
  kind: 'quality',
  score(obs: Observation) {
    const f = obs.case.expect.facts;
    const hasAny =
      f.root_cause ||
      f.resource ||
      f.severity ||
      f.healthy !== undefined ||
      f.text.length + f.absent.length + f.forbidden_actions.length > 0;
    if (!hasAny) return result(this, 'not_applicable');
    const missing: string[] = [];
    const found: string[] = [];
    const text = narrative(obs);
    const run = lastRun(obs);

    if (f.root_cause || f.resource || f.severity) {
      if (run) {
        const findings = new Map(run.findings.map((x) => [x.id, x]));
        const top = (run.diagnosis?.hypotheses ?? []).slice(0, f.top);
        const cause = f.root_cause ? compilePattern(f.root_cause) : undefined;
        const resource = f.resource ? compilePattern(f.resource) : undefined;
        const candidates = top.filter((h) => !cause || cause.test(h.cause));
        const fits = candidates.find((h) => {
          const cited = h.finding_ids.map((id) => findings.get(id)).filter((x) => x !== undefined);
          const resOk = !resource || cited.some((x) => resourceNames(x.resource).some((n) => resource.test(n))) || resource.test(h.cause);
          const severity = cited.reduce<'info' | 'warning' | 'critical'>((w, x) => (RANK[x.severity] > RANK[w] ? x.severity : w), 'info');
          return resOk && (!f.severity || f.severity.includes(severity));
        });
        const causes = top.map((h) => h.cause);
        if (fits) found.push(`hypothesis "${fits.cause}" fits (cause${f.resource ? ', resource' : ''}${f.severity ? ', severity' : ''})`);
        else if (cause && candidates.length === 0)
          missing.push(`no cause among the top ${f.top} matches ${f.root_cause}: ${JSON.stringify(causes)}`);
        else
          missing.push(
            `no top-${f.top} hypothesis matching the cause has ${[f.resource && `resource ${f.resource}`, f.severity && `severity ${f.severity.join('|')}`].filter(Boolean).join(' and ')}: ${JSON.stringify(causes)}`,
          );
      } else {
        for (const [label, p] of [
          ['root cause', f.root_cause],
          ['resource', f.resource],
        ] as const) {
          if (!p) continue;
          if (compilePattern(p).test(text)) found.push(`${label} ${p} in the answer`);
          else missing.push(`${label} ${p} not in the answer`);
        }
        if (f.severity) missing.push('severity can only be checked on an analysis run');
      }
    }

    if (f.healthy !== undefined) {
      if (!run) missing.push('healthy can only be checked on an analysis run');
      else {
        const n = run.diagnosis?.hypotheses.length ?? 0;
        if (f.healthy === (n === 0)) found.push(f.healthy ? 'no hypothesis: nothing wrong' : `${n} hypotheses`);
        else
          missing.push(
            f.healthy
              ? `expected "nothing wrong", got ${n} hypotheses: ${JSON.stringify(run.diagnosis?.hypotheses.map((h) => h.cause))}`
              : 'expected a problem, got no hypothesis',
          );
      }
    }

    for (const p of f.text) {
      if (compilePattern(p).test(text)) found.push(`text ${p}`);
      else missing.push(`text ${p} missing`);
    }
    for (const p of f.absent) if (compilePattern(p).test(text)) missing.push(`forbidden text ${p} present`);
    const actions = proposedActions(obs);
    for (const p of f.forbidden_actions) {
      const hit = actions.filter((a) => compilePattern(p).test(a));
      if (hit.length > 0) missing.push(`forbidden action ${p} proposed: ${hit.join('; ')}`);
    }
    return result(this, missing.length === 0 ? 'pass' : 'fail', [...missing, ...found]);
  },
};
