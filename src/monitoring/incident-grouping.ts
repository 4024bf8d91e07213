/**
 * Which incident an alert belongs to: the Kubernetes object it is about, reduced to its workload, so
 * the service's anomaly on a deployment, a crash-looping pod of that deployment and Prometheus's alert
 * on the same deployment land in one incident. The key is namespace + workload; a pod is reduced to its
 * workload by its generated name suffix (Deployment pods: `<name>-<replicaset hash>-<5 chars>`,
 * StatefulSet/DaemonSet/Job pods: `<name>-<ordinal or 5 chars>`). Alerts about no object (a whole
 * workspace without data) group by what they are about: their alert name.
 */

/** Deployment pod: name-<pod-template-hash (6-10 chars)>-<5 chars>. */
const DEPLOYMENT_POD = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
/** StatefulSet pod (name-0) or DaemonSet/Job pod (name-<5 chars>). */
const OTHER_POD = /^(.+)-(?:\d+|[bcdfghjklmnpqrstvwxz2456789]{5})$/;

export function workloadOfPod(pod: string): string {
  return DEPLOYMENT_POD.exec(pod)?.[1] ?? OTHER_POD.exec(pod)?.[1] ?? pod;
}

/** Prometheus/kube-state-metrics labels that name the owning workload directly. */
const WORKLOAD_LABELS = ['workload', 'deployment', 'statefulset', 'daemonset', 'job_name', 'cronjob'] as const;

export interface IncidentResource {
  key: string;
  resource: Record<string, string>;
}

export function incidentResourceOf(alertName: string, labels: Readonly<Record<string, string>>): IncidentResource {
  const namespace = labels.namespace;
  const named = WORKLOAD_LABELS.map((l) => labels[l]).find((v) => typeof v === 'string' && v.length > 0);
  const workload = named ?? (labels.pod ? workloadOfPod(labels.pod) : undefined) ?? labels.service ?? labels.persistentvolumeclaim;
  if (namespace && workload) return { key: `workload:${namespace}/${workload}`, resource: { namespace, workload } };
  if (namespace) return { key: `namespace:${namespace}`, resource: { namespace } };
  return { key: `alert:${alertName}`, resource: {} };
}
