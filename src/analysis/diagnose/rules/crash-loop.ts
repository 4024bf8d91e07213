/** Crash loop / pods not ready (no rollout explains it); the workload's BackOff events, when read, are cited too. */
import { eventCategoryOf } from '../../findings/events.js';
import {
  action,
  confidenceOf,
  detailString,
  groupByWorkload,
  hasProblem,
  label,
  ofKind,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';

export const crashLoop: Rule = {
  id: 'crash_loop',
  cause: 'crash loop in <workload>',
  specificity: 60,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(findings).values()) {
      const restarts = ofKind(group, 'restarts');
      const notReady = ofKind(group, 'not_ready');
      if (!hasProblem([...restarts, ...notReady])) continue;
      const backOff = group.filter((f) => eventCategoryOf(f) === 'crash_loop');
      const matched = [...restarts, ...notReady, ...backOff];
      const subject = workloadSubject(matched);
      const reason = detailString(restarts, 'reason', 'last_terminated_reason');
      const cause =
        restarts.length > 0
          ? `crash loop in ${label(subject)}${reason ? ` (last termination: ${reason})` : ''}`
          : `pods of ${label(subject)} not ready`;
      out.push({
        rule: this.id,
        cause,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, 0.3),
        advice:
          restarts.length > 0
            ? [
                `Read the previous container's logs and exit code of ${label(subject)} (kubectl logs --previous); check config, secrets and dependencies it needs at start.`,
              ]
            : [`Check the readiness probe and the dependencies of ${label(subject)}; restart a stuck pod if only one is affected.`],
      });
    }
    return out;
  },
  actions(m) {
    // Restarting a crash-looping container does not help; a single stuck, not-ready pod may.
    if (m.findings.some((f) => f.kind === 'restarts')) return [];
    const pods = [...new Set(m.findings.map((f) => f.resource.pod).filter((p): p is string => p !== undefined))];
    if (pods.length !== 1 || pods[0] === undefined) return [];
    return action(
      { ...m, subject: { ...m.subject, name: pods[0] } },
      'restart_pod',
      'low',
      `Restart the stuck pod ${pods[0]} of ${label(m.subject)}`,
      {},
      'pod',
    );
  },
};
