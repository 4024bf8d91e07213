/** Memory leak: memory_growth plus OOM kills / memory at its limit (or OOMKilled restarts) on the same workload. */
import type { Finding, ProposedAction } from '../../types.js';
import {
  action,
  confidenceOf,
  detailNumber,
  detailString,
  groupByWorkload,
  hasProblem,
  label,
  ofKind,
  uniq,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';

/** A restart whose reason is an OOM kill. */
export function isOomRestart(f: Finding): boolean {
  if (f.kind !== 'restarts') return false;
  const reason = detailString([f], 'reason', 'last_terminated_reason');
  return reason !== undefined && reason.toLowerCase().includes('oom');
}

/** A capacity forecast or anomaly about memory (memory at its limit). */
export function isMemoryAtLimit(f: Finding): boolean {
  if (f.kind !== 'capacity' && f.kind !== 'anomaly') return false;
  const what = detailString([f], 'resource', 'metric') ?? f.evidence[0]?.series ?? '';
  return what.toLowerCase().includes('memory') && f.resource.persistentvolumeclaim === undefined;
}

export const memoryLeak: Rule = {
  id: 'memory_leak',
  cause: 'memory leak in <workload>',
  specificity: 80,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(findings).values()) {
      const growth = ofKind(group, 'memory_growth');
      if (growth.length === 0) continue;
      const atLimit = group.filter((f) => f.kind === 'oom_kill' || isOomRestart(f) || isMemoryAtLimit(f));
      const matched = uniq([...growth, ...atLimit]);
      if (!hasProblem(matched)) continue;
      const subject = workloadSubject(matched);
      const confirmed = atLimit.length > 0;
      const cause = confirmed
        ? `memory leak in ${label(subject)}`
        : `possible memory leak in ${label(subject)} (memory growing steadily, no OOM kill yet)`;
      out.push({
        rule: this.id,
        cause,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, confirmed ? 0.35 : 0.2),
        advice: [
          `Restart ${label(subject)} to reclaim memory now (mitigation only), then find the leak: compare heap profiles over time.`,
          `Until it is fixed, raise the memory limit of ${label(subject)} enough to reach the next planned restart.`,
        ],
      });
    }
    return out;
  },
  actions(m): ProposedAction[] {
    const limit = detailNumber(m.findings, 'memory_limit_bytes', 'limit_bytes');
    return [
      ...action(
        m,
        'restart_application',
        'medium',
        `Mitigation: restart ${label(m.subject)} to free the leaked memory; it does not fix the leak`,
      ),
      ...action(
        m,
        'adjust_resources',
        'medium',
        `Raise the memory limit of ${label(m.subject)} while the leak is being fixed`,
        limit !== undefined
          ? { memory_limit: Math.ceil(limit * 1.5), current_memory_limit: limit }
          : { memory_limit: 'raise (current limit unknown)' },
      ),
    ];
  },
};
