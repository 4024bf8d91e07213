/**
 * Evidence cited (quality): every hypothesis cites at least one evidence point, each point exists in
 * the run's findings (same series and time, same value), and every finding id it lists exists. A chat
 * case that requires evidence needs at least one evidence item with a reference in each answer.
 */
import type { Observation } from '../observation.js';
import { runsOf } from './text.js';
import { result, type Scorer } from './types.js';

const close = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

export const evidenceScorer: Scorer = {
  name: 'evidence',
  kind: 'quality',
  score(obs: Observation) {
    const problems: string[] = [];
    let claims = 0;
    for (const run of runsOf(obs)) {
      const ids = new Set(run.findings.map((f) => f.id));
      const points = run.findings.flatMap((f) => f.evidence);
      for (const h of run.diagnosis?.hypotheses ?? []) {
        claims += 1;
        if (h.evidence.length === 0) problems.push(`"${h.cause}" cites no evidence`);
        for (const e of h.evidence) {
          if (!points.some((p) => p.series === e.series && p.time === e.time && close(p.value, e.value)))
            problems.push(`"${h.cause}" cites ${e.series} @ ${e.time} = ${e.value}, which no finding contains`);
        }
        for (const id of h.finding_ids) if (!ids.has(id)) problems.push(`"${h.cause}" lists unknown finding ${id}`);
      }
    }
    if (obs.case.expect.evidence_required) {
      for (const s of obs.steps) {
        for (const [i, t] of (s.chat ?? []).entries()) {
          claims += 1;
          const cited = (t.answer?.evidence ?? []).filter((e) => typeof e.ref === 'string' && e.ref.length > 0);
          if (cited.length === 0) problems.push(`chat answer ${i + 1} cites no evidence`);
        }
      }
      if (claims === 0) problems.push('evidence was required but the case produced no answer to check');
    }
    if (claims === 0) return result(this, 'not_applicable', ['no hypothesis or answer to check']);
    return result(
      this,
      problems.length === 0 ? 'pass' : 'fail',
      problems.length > 0 ? problems : [`${claims} claim(s), every one backed by findings`],
    );
  },
};
