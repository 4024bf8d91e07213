/**
 * Crypto-mining pattern: a security finding with details.pattern === 'mining', or CPU saturation plus an
 * egress anomaly on a workload that is normally idle (details.normally_idle === true, or
 * details.baseline_cpu_ratio ≤ 0.05). A security incident; containment (scale to 0) is high risk.
 */
import type { Finding } from '../../types.js';
import {
  action,
  confidenceOf,
  detailNumber,
  groupByWorkload,
  hasProblem,
  label,
  ofKind,
  uniq,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';

export function isMiningFinding(f: Finding): boolean {
  return f.kind === 'security' && f.details['pattern'] === 'mining';
}

function normallyIdle(findings: readonly Finding[]): boolean {
  if (findings.some((f) => f.details['normally_idle'] === true)) return true;
  const base = detailNumber(findings, 'baseline_cpu_ratio');
  return base !== undefined && base <= 0.05;
}

export const miningPattern: Rule = {
  id: 'mining_pattern',
  cause: 'security incident: possible crypto-mining in <workload>',
  specificity: 100,
  match(findings) {
    const out: RuleMatch[] = [];
    for (const group of groupByWorkload(findings).values()) {
      const flagged = group.filter(isMiningFinding);
      const cpu = ofKind(group, 'cpu_saturation', 'anomaly');
      const egress = ofKind(group, 'egress');
      const sat = ofKind(group, 'cpu_saturation');
      const pattern = sat.length > 0 && egress.length > 0 && normallyIdle([...sat, ...egress]);
      if (flagged.length === 0 && !pattern) continue;
      const matched = uniq([...flagged, ...(flagged.length > 0 ? cpu : sat), ...egress]);
      if (!hasProblem(matched)) continue;
      const subject = workloadSubject(matched);
      out.push({
        rule: this.id,
        cause: `security incident: possible crypto-mining in ${label(subject)} (${flagged.length > 0 ? 'mining pattern detected' : 'normally idle workload saturating CPU with unusual egress'})`,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, flagged.length > 0 ? 0.4 : 0.3),
        advice: [
          `Treat ${label(subject)} as compromised: contain it (scale to 0 or isolate it with a deny-all NetworkPolicy), keep its image and logs for forensics.`,
          `Rotate the credentials and tokens ${label(subject)} could reach, and check how it was compromised (image, exposed endpoints).`,
        ],
      });
    }
    return out;
  },
  actions(m) {
    if (m.subject.kind !== 'deployment') return [];
    return action(
      m,
      'scale',
      'high',
      `Containment: scale ${label(m.subject)} to 0 replicas (stops the suspected miner; requires approval, causes downtime of this workload)`,
      { replicas: 0, override: true },
    );
  },
};
