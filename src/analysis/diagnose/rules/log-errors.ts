/**
 * Causes the application logs name (findings/log-patterns.ts): a dependency that refuses connections or
 * times out, a configuration error, or new errors. A dependency or configuration error explains the same
 * workload's HTTP errors, restarts and unready pods (never its latency or CPU: another rule names those);
 * plain new errors only stand alone.
 */
import type { FindingKind } from '../../types.js';
import {
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

const CLAIMS: Record<string, readonly FindingKind[]> = {
  dependency: ['errors', 'restarts', 'not_ready'],
  config: ['restarts', 'not_ready', 'errors'],
  errors: [],
};
const SPECIFICITY: Record<string, number> = { dependency: 74, config: 73, errors: 52 };

function ruleFor(category: 'dependency' | 'config' | 'errors'): Rule {
  return {
    id: `log_${category}`,
    cause: `${category} errors in the logs of <workload>`,
    specificity: SPECIFICITY[category]!,
    match(findings) {
      const out: RuleMatch[] = [];
      for (const group of groupByWorkload(findings).values()) {
        const logs = group.filter((f) => f.kind === 'log_pattern' && f.details['category'] === category);
        if (!hasProblem(logs)) continue;
        const matched = [...logs, ...ofKind(group, ...CLAIMS[category]!)];
        const subject = workloadSubject(logs);
        const where = label(subject);
        // Named by the phrase our patterns matched and the line count, never by quoting the log line (untrusted).
        const symptom = detailString(logs, 'symptom');
        const lines = logs.reduce((n, f) => n + (typeof f.details['lines'] === 'number' ? (f.details['lines'] as number) : 0), 0);
        out.push({
          rule: this.id,
          cause:
            category === 'dependency'
              ? `${where} cannot reach a dependency (${symptom ?? 'failing calls'} in ${lines} error log lines)`
              : category === 'config'
                ? `configuration error in ${where} (${symptom ?? 'configuration'} in ${lines} error log lines)`
                : `new errors in the logs of ${where} (${lines} lines)`,
          findings: matched,
          subject,
          confidence: confidenceOf(matched, category === 'errors' ? 0.3 : 0.4),
          advice:
            category === 'dependency'
              ? [`Check the dependency ${where} calls (the address in its log lines): is it running, reachable, and accepting connections?`]
              : category === 'config'
                ? [
                    `Fix the configuration ${where} reads (environment, ConfigMap, Secret, files) named in its log lines; roll back if a release changed it.`,
                  ]
                : [`Read the new error lines of ${where} (log_patterns / query_logs) and what changed when they started.`],
        });
      }
      return out;
    },
    actions: () => [],
  };
}

export const LOG_RULES: readonly Rule[] = [ruleFor('dependency'), ruleFor('config'), ruleFor('errors')];
