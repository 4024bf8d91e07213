/**
 * Answer status (quality): each request answered with an expected HTTP status (a 403 for a
 * cross-workspace call, 201 for a proposed remediation, 200 for an analysis), and the control plane
 * received at least `min_writes` changes when the case needs an approved remediation to run.
 */
import type { Observation } from '../observation.js';
import { result, type Scorer } from './types.js';

export const statusScorer: Scorer = {
  name: 'status',
  kind: 'quality',
  score(obs: Observation) {
    const details: string[] = [];
    let ok = true;
    for (const s of obs.steps) {
      const hit = s.expectedStatus.includes(s.status);
      ok &&= hit;
      const reason = s.status >= 400 ? (s.body as { reason?: unknown } | null)?.reason : undefined;
      details.push(
        `${s.method} ${s.path.split('?')[0]} → ${s.status}${typeof reason === 'string' ? ` (${reason})` : ''}${hit ? '' : `, expected ${s.expectedStatus.join(' or ')}`}`,
      );
    }
    const min = obs.case.expect.min_writes;
    if (min > 0) {
      const writes = obs.controlPlane.filter((r) => r.method !== 'GET').length;
      ok &&= writes >= min;
      details.push(`${writes} control-plane write(s)${writes >= min ? '' : `, expected at least ${min}`}`);
    }
    return result(this, ok ? 'pass' : 'fail', details);
  },
};
