/**
 * Rollout detection: a Deployment's pods carry the pod-template hash in their names, so a new hash
 * appearing during the window is a rollout. Reported as `info` context for the "bad release" rules.
 */
import type { Finding, SeriesData } from '../types.js';
import { evidenceAt, makeFinding, rfc3339, stepOf, templateHashOf, workloadOf } from './series-utils.js';

/** Queries whose per-pod series reveal which pods existed when. */
export const DEPLOY_QUERIES = ['cpu_usage', 'memory_working_set', 'restarts'] as const;

export function analyseDeploys(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  const source = DEPLOY_QUERIES.map((q) => byQuery.get(q) ?? []).find((list) => list.length > 0) ?? [];
  if (source.length === 0) return [];
  const windowStart = Math.min(...source.map((s) => s.times[0] ?? Infinity));
  // namespace/workload → hash → earliest series of that hash
  const workloads = new Map<string, Map<string, SeriesData>>();
  for (const s of source) {
    const pod = s.labels.pod;
    const hash = pod ? templateHashOf(pod) : undefined;
    if (!pod || !hash || s.times.length === 0) continue;
    const key = `${s.labels.namespace ?? ''}/${workloadOf(pod)}`;
    const hashes = workloads.get(key) ?? new Map<string, SeriesData>();
    const known = hashes.get(hash);
    if (!known || s.times[0]! < known.times[0]!) hashes.set(hash, s);
    workloads.set(key, hashes);
  }
  const out: Finding[] = [];
  for (const hashes of workloads.values()) {
    if (hashes.size < 2) continue;
    const ordered = [...hashes.values()].sort((a, b) => a.times[0]! - b.times[0]!);
    for (const s of ordered.slice(1)) {
      if (s.times[0]! <= windowStart + 2 * stepOf(s)) continue;
      const previous = ordered.filter((o) => o.times[0]! < s.times[0]!).map((o) => templateHashOf(o.labels.pod ?? ''));
      const pod = s.labels.pod ?? '';
      out.push(
        makeFinding({
          kind: 'deploy',
          severity: 'info',
          title: `Rollout of ${workloadOf(pod)} in ${s.labels.namespace}: new pod template ${templateHashOf(pod)}`,
          resource: { namespace: s.labels.namespace, workload: workloadOf(pod), pod },
          score: 0.3,
          started_at: rfc3339(s.times[0]!),
          evidence: [evidenceAt(s, 0, `first sample of a pod of the new ReplicaSet ${workloadOf(pod)}-${templateHashOf(pod)}`)],
          details: { new_template_hash: templateHashOf(pod), previous_template_hashes: previous, rollout_at: rfc3339(s.times[0]!) },
          idSuffix: templateHashOf(pod),
        }),
      );
    }
  }
  return out;
}
