/** A PersistentVolumeClaim filling up (capacity forecast on a PVC): expand the volume (human). */
import type { Finding } from '../../types.js';
import { action, confidenceOf, detailNumber, groupBy, hasProblem, label, type Rule, type RuleMatch } from '../common.js';

const GiB = 1024 ** 3;

function eta(findings: readonly Finding[]): string | undefined {
  // The capacity analyser reports eta_hours (findings/capacity.ts); the second-based keys are other producers'.
  const hours = detailNumber(findings, 'eta_hours');
  const s = hours !== undefined ? hours * 3600 : detailNumber(findings, 'time_to_full_seconds', 'seconds_to_full', 'eta_seconds');
  if (s === undefined) return undefined;
  return s >= 2 * 86_400 ? `~${Math.round(s / 86_400)} days` : `~${Math.max(1, Math.round(s / 3600))} h`;
}

export const pvcFilling: Rule = {
  id: 'pvc_filling',
  cause: 'PVC <pvc> filling up',
  specificity: 40,
  match(findings) {
    const groups = groupBy(findings, (f) => {
      const pvc = f.resource.persistentvolumeclaim;
      return pvc === undefined || (f.kind !== 'capacity' && f.kind !== 'anomaly') ? undefined : `${f.resource.namespace ?? ''}/${pvc}`;
    });
    const out: RuleMatch[] = [];
    for (const group of groups.values()) {
      const first = group[0];
      if (!first || !hasProblem(group) || !group.some((f) => f.kind === 'capacity')) continue;
      const subject = {
        namespace: first.resource.namespace,
        name: first.resource.persistentvolumeclaim ?? first.id,
        kind: 'persistentvolumeclaim',
      };
      const when = eta(group);
      out.push({
        rule: this.id,
        cause: `PVC ${label(subject)} filling up${when ? ` (full in ${when})` : ''}`,
        findings: group,
        subject,
        confidence: confidenceOf(group, 0.35),
        advice: [`Expand PVC ${label(subject)} (its StorageClass must allow volume expansion) or delete data it no longer needs.`],
      });
    }
    return out;
  },
  actions(m) {
    const cap = detailNumber(m.findings, 'capacity_bytes', 'size_bytes');
    const size = cap !== undefined ? `${Math.max(1, Math.ceil((cap * 2) / GiB))}Gi` : 'double the current size';
    return action(
      m,
      'expand_volume',
      'medium',
      `Expand PVC ${label(m.subject)} before it fills up (a volume cannot be shrunk afterwards)`,
      cap !== undefined ? { size, current_size_bytes: cap } : { size },
    );
  },
};
