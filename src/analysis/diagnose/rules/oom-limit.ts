/** OOM kills without steady growth: the memory limit is too low for the workload's peak. */
import {
  action,
  confidenceOf,
  detailNumber,
  groupByWorkload,
  hasProblem,
  label,
  uniq,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';
import { isOomRestart } from './memory-leak.js';

export const oomLimit: Rule = {
  id: 'oom_limit_too_low',
  cause: 'memory limit of <workload> too low',
  specificity: 65,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(findings).values()) {
      const oom = group.filter((f) => f.kind === 'oom_kill');
      if (oom.length === 0) continue;
      const matched = uniq([...oom, ...group.filter(isOomRestart)]);
      if (!hasProblem(matched)) continue;
      const subject = workloadSubject(matched);
      out.push({
        rule: this.id,
        cause: `memory limit of ${label(subject)} too low (OOM kills without steady memory growth)`,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, 0.25),
        advice: [`Raise the memory limit of ${label(subject)} above its observed peak, or reduce its peak memory (batch sizes, caches).`],
      });
    }
    return out;
  },
  actions(m) {
    const limit = detailNumber(m.findings, 'memory_limit_bytes', 'limit_bytes');
    return action(
      m,
      'adjust_resources',
      'low',
      `Raise the memory limit of ${label(m.subject)} above its peak usage`,
      limit !== undefined
        ? { memory_limit: Math.ceil(limit * 1.5), current_memory_limit: limit }
        : { memory_limit: 'raise (current limit unknown)' },
    );
  },
};
