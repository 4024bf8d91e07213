/**
 * Bad release: restarts, not-ready pods, errors, latency, OOMs, memory growth, CPU symptoms or new error
 * templates in the logs that start
 * shortly after a `deploy` finding on the same workload. The control plane has no deployment rollback:
 * a deployment's rollback is advice for a human; functions get `rollback_function`.
 */
import type { Finding, FindingKind } from '../../types.js';
import {
  action,
  confidenceOf,
  detailString,
  hasProblem,
  label,
  sameTarget,
  startOf,
  uniq,
  workloadSubject,
  type Rule,
  type RuleMatch,
} from '../common.js';

/** Symptoms that count when they start within this long after a rollout. */
export const RELEASE_WINDOW_MS = 30 * 60_000;
/** Symptoms may be stamped a little before the rollout (scrape alignment). */
const EARLY_TOLERANCE_MS = 2 * 60_000;

const SYMPTOMS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'restarts',
  'not_ready',
  'errors',
  'latency',
  'oom_kill',
  'memory_growth',
  'cpu_saturation',
  'cpu_throttling',
  'anomaly',
  // The first errors after a rollout: a new error template in its logs (findings/log-patterns.ts).
  'log_pattern',
]);
const RESTART_HELPS: ReadonlySet<FindingKind> = new Set<FindingKind>(['memory_growth', 'oom_kill']);

function isFunction(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.details['workload_kind'] === 'function' || typeof f.details['function_id'] === 'string');
}

export const badRelease: Rule = {
  id: 'bad_release',
  cause: 'bad release of <workload>',
  specificity: 90,
  match(findings) {
    const deploys = findings
      .filter((f) => f.kind === 'deploy')
      .map((d) => ({ d, t: startOf(d) }))
      .filter((x): x is { d: Finding; t: number } => x.t !== undefined)
      .sort((a, b) => b.t - a.t); // latest first: a symptom belongs to the latest rollout before it
    const byDeploy = new Map<Finding, Finding[]>();
    for (const s of findings) {
      if (!SYMPTOMS.has(s.kind)) continue;
      const ts = startOf(s);
      if (ts === undefined) continue;
      const owner = deploys.find(({ d, t }) => sameTarget(d, s) && ts >= t - EARLY_TOLERANCE_MS && ts <= t + RELEASE_WINDOW_MS);
      if (!owner) continue;
      const list = byDeploy.get(owner.d);
      if (list) list.push(s);
      else byDeploy.set(owner.d, [s]);
    }
    const out: RuleMatch[] = [];
    for (const [deploy, symptoms] of byDeploy) {
      if (!hasProblem(symptoms)) continue;
      const matched = uniq([deploy, ...symptoms]);
      const subject = workloadSubject(matched);
      if (isFunction(matched)) subject.kind = 'function';
      const kinds = [...new Set(symptoms.map((s) => s.kind))].sort().join(', ');
      const rev = detailString([deploy], 'image', 'revision', 'version');
      const when = deploy.started_at ?? deploy.evidence[0]?.time ?? 'unknown time';
      const rollback =
        subject.kind === 'function'
          ? `Roll back function ${label(subject)} to its previous version (proposed action rollback_function, needs approval).`
          : `Roll back ${label(subject)} to its previous revision with your deployment tooling (e.g. kubectl rollout undo ${subject.kind}/${subject.name}${subject.namespace ? ` -n ${subject.namespace}` : ''}, or revert the GitOps commit): the Hexabase control plane has no deployment rollback.`;
      out.push({
        rule: this.id,
        cause: `bad release of ${label(subject)} (rollout${rev ? ` of ${rev}` : ''} at ${when} followed by ${kinds})`,
        findings: matched,
        subject,
        confidence: confidenceOf(matched, 0.4),
        advice: [rollback, `Compare the new release's changes (image, config, dependencies) with the symptoms: ${kinds}.`],
      });
    }
    return out;
  },
  actions(m) {
    if (m.subject.kind === 'function') {
      const id = detailString(m.findings, 'function_id');
      return action(
        m,
        'rollback_function',
        'medium',
        `Roll back function ${label(m.subject)} to its previous version`,
        id ? { function_id: id } : {},
      );
    }
    // No generic deployment rollback: a restart only helps when the symptom is resource exhaustion.
    if (m.findings.some((f) => RESTART_HELPS.has(f.kind))) {
      return action(
        m,
        'restart_application',
        'medium',
        `Mitigation until a human rolls back ${label(m.subject)}: restart to reclaim memory (the release is still bad)`,
      );
    }
    return [];
  },
};
