/**
 * Causes named by Kubernetes events (findings/events.ts). An event that says why — ErrImagePull,
 * FailedScheduling "Insufficient cpu", a missing Secret — outranks the vaguer metric symptoms of the
 * same workload (restarts, pods not ready, an anomaly), so the rule claims those symptoms too: a crash
 * loop whose events say the image cannot be pulled is a bad image, not a memory problem. Each
 * hypothesis cites the event rows (time, reason, object, message) and the symptoms it explains.
 *
 * Plain BackOff and OOM events are weaker: the existing crash-loop and OOM rules (which read the
 * termination reason and memory) stay first for them, and these only stand alone when metrics are silent.
 */
import { eventCategoryOf, type EventCategory } from '../../findings/events.js';
import type { Finding, FindingKind } from '../../types.js';
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

interface CategoryRule {
  /**
   * Metric symptoms of the same workload the event explains directly (pods not ready, restarts). Never
   * latency, errors or saturation: a failing probe or an eviction can be the symptom of those, and
   * claiming them would take them from the rule that names their cause (CPU limit, bad release).
   */
  claims: readonly FindingKind[];
  /** `named`: what the messages name (the image reference, the missing Secret), when they do. */
  cause(where: string, detail: string, named: string | undefined): string;
  advice(where: string, detail: string): string[];
}

const CATEGORY_RULES: Readonly<Record<EventCategory, CategoryRule>> = {
  image_pull: {
    claims: ['restarts', 'not_ready'],
    cause: (w, d, image) =>
      d === 'registry_auth'
        ? `bad image pull secret for ${w}: the registry refuses the pull${image ? ` of ${image}` : ''}`
        : `bad image for ${w}: ${image ? `${image} cannot be pulled` : 'the image cannot be pulled'}${d === 'image_not_found' ? ' (tag or name does not exist)' : ''}`,
    advice: (w, d) => [
      d === 'registry_auth'
        ? `Check the imagePullSecrets of ${w} and the registry credentials.`
        : `Check the image name and tag of ${w} (kubectl describe pod); fix the tag or roll back (kubectl rollout undo).`,
    ],
  },
  config_error: {
    claims: ['restarts', 'not_ready'],
    cause: (w, d, missing) =>
      `configuration missing for ${w}: the container cannot start (${missing ?? `${d === 'configmap_missing' ? 'ConfigMap' : 'Secret'} or key`} not found)`,
    advice: (w) => [
      `Create the missing Secret/ConfigMap (or key) that ${w} references, or fix the reference; the pods start once it exists.`,
    ],
  },
  scheduling: {
    claims: ['not_ready'],
    cause: (w, d) => `pods of ${w} cannot be scheduled: ${d.replace(/_/g, ' ')}`,
    advice: (w, d) => [
      d === 'insufficient_cpu' || d === 'insufficient_memory'
        ? `Lower the ${d === 'insufficient_cpu' ? 'CPU' : 'memory'} requests of ${w} or add node capacity; kubectl describe pod shows how much is missing.`
        : d === 'taint' || d === 'affinity'
          ? `Check the tolerations, node selector and affinity of ${w} against the nodes' taints and labels.`
          : `Read the FailedScheduling message of ${w} (kubectl describe pod) and free or add what it lacks.`,
    ],
  },
  quota: {
    claims: ['not_ready', 'quota'],
    cause: (w) => `${w.includes('/') ? `the quota of namespace ${w.split('/')[0]}` : 'the namespace quota'} refuses new pods of ${w}`,
    advice: (w) => [`Raise the ResourceQuota of the namespace or lower the requests/replicas of ${w}.`],
  },
  mount: {
    claims: ['not_ready'],
    cause: (w, d) => `volumes of ${w} cannot be ${d === 'failedattachvolume' ? 'attached' : 'mounted'}`,
    advice: (w) => [`Check the PersistentVolumeClaims, Secrets and ConfigMaps mounted by ${w} (kubectl describe pod).`],
  },
  probe: {
    claims: ['not_ready', 'restarts'],
    cause: (w, d) => `${d === 'probe' ? 'health' : d} probe of ${w} failing`,
    advice: (w) => [
      `Check what the probe of ${w} calls (path, port, timeout) and the dependencies it waits for; the events carry the probe's answer.`,
    ],
  },
  evicted: {
    claims: ['not_ready', 'restarts'],
    cause: (w, d) => `pods of ${w} evicted: node ${d.replace(/^low_/, 'low on ').replace(/_/g, ' ')}`,
    advice: (w) => [`Set requests for ${w} that match its usage so the scheduler places it where it fits, and check the node's pressure.`],
  },
  crash_loop: {
    claims: ['not_ready'],
    cause: (w) => `${w} keeps restarting after its container fails (BackOff)`,
    advice: (w) => [`Read the previous container's logs and exit code of ${w} (kubectl logs --previous).`],
  },
  oom: {
    claims: [],
    cause: (w) => `containers of ${w} killed for lack of memory (OOM)`,
    advice: (w) => [`Compare the memory limit of ${w} with its working set; raise the limit or fix the growth.`],
  },
};

/** Above every metric-only rule for the decisive causes; below the crash-loop and OOM rules for BackOff and OOM. */
const SPECIFICITY: Readonly<Record<EventCategory, number>> = {
  image_pull: 95,
  config_error: 95,
  scheduling: 92,
  quota: 92,
  mount: 88,
  probe: 72,
  evicted: 62,
  crash_loop: 55,
  oom: 50,
};

function ruleFor(category: EventCategory): Rule {
  const spec = CATEGORY_RULES[category];
  return {
    id: `k8s_event_${category}`,
    cause: spec.cause('<workload>', category, undefined),
    specificity: SPECIFICITY[category],
    match(findings: readonly Finding[]): RuleMatch[] {
      const out: RuleMatch[] = [];
      for (const group of groupByWorkload(findings).values()) {
        const events = group.filter((f) => eventCategoryOf(f) === category);
        if (!hasProblem(events)) continue;
        const detail = detailString(events, 'detail') ?? category;
        // Only a failing liveness probe restarts a container; readiness and startup probes do not.
        const kinds = category === 'probe' && detail !== 'liveness' ? spec.claims.filter((k) => k !== 'restarts') : spec.claims;
        const matched = [...events, ...ofKind(group, ...kinds)];
        const subject = workloadSubject(events);
        const where = label(subject);
        out.push({
          rule: this.id,
          cause: spec.cause(where, detail, detailString(events, 'image', 'missing')),
          findings: matched,
          subject,
          // Events state the cause: a higher prior than a correlation of metrics.
          confidence: confidenceOf(matched, 0.45),
          advice: spec.advice(where, detail),
        });
      }
      return out;
    },
    // Advice only: fixing a tag, a Secret or capacity is a human's change (no control-plane action does it).
    actions: () => [],
  };
}

export const K8S_EVENT_RULES: readonly Rule[] = (Object.keys(CATEGORY_RULES) as EventCategory[]).map(ruleFor);
