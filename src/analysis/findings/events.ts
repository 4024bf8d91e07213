/**
 * Object analysers over Kubernetes events, in the manner of k8sgpt's: a Warning event's reason and
 * message name a cause that metrics only show as a vague symptom (a pod not ready, restarts). Each
 * recognised cause becomes a `k8s_event` finding per workload and category, citing the event rows
 * (time, reason, object, message) as its evidence, so a diagnosis rule can say "bad image" where the
 * metrics alone would say "crash loop".
 *
 * The messages are untrusted text from the cluster: they are matched against fixed patterns, cut, and
 * only ever carried as data (evidence `why`, `details.message`), never as instructions.
 */
import { oneLine } from '../readable.js';
import type { Evidence, Finding, ResourceRef, Severity } from '../types.js';
import { workloadOf } from './series-utils.js';

/** One (folded) Kubernetes event as list_events answers it. */
export interface K8sEventRecord {
  namespace: string;
  kind: string;
  name: string;
  reason: string;
  type: string;
  message: string;
  count: number;
  /** RFC 3339. */
  first_seen: string;
  last_seen: string;
}

export const EVENT_CATEGORIES = [
  'image_pull', // ErrImagePull / ImagePullBackOff: a tag that does not exist, a registry that refuses
  'config_error', // CreateContainerConfigError: a Secret or ConfigMap (key) that is missing
  'crash_loop', // BackOff restarting a failed container
  'scheduling', // FailedScheduling: insufficient cpu/memory, taints, affinity, volumes
  'quota', // FailedCreate: exceeded quota
  'probe', // Unhealthy: readiness/liveness/startup probe failures
  'oom', // OOMKilling / OOMKilled
  'mount', // FailedMount / FailedAttachVolume
  'evicted', // Evicted: the node ran low on a resource
] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

interface Category {
  category: EventCategory;
  /** What went wrong, finer than the category (e.g. insufficient_cpu), from the message. */
  detail: string;
}

const MESSAGE_MAX = 300;

/** The first pattern of the list the message matches names the detail; the last entry is the default. */
function detailOf(message: string, table: readonly (readonly [RegExp, string])[], fallback: string): string {
  for (const [re, detail] of table) if (re.test(message)) return detail;
  return fallback;
}

const IMAGE_DETAILS = [
  [/not found|manifest unknown|does not exist|no such (image|host)/i, 'image_not_found'],
  [/unauthori[sz]ed|denied|authentication required|forbidden/i, 'registry_auth'],
] as const;
const SCHEDULING_DETAILS = [
  [/insufficient cpu/i, 'insufficient_cpu'],
  [/insufficient memory/i, 'insufficient_memory'],
  [/insufficient [a-z0-9./-]*gpu/i, 'insufficient_gpu'],
  [/exceeded quota/i, 'quota'],
  [/untolerated taint|had taints?/i, 'taint'],
  [/affinity|node selector|didn't match/i, 'affinity'],
  [/persistentvolumeclaim|volume node affinity|unbound/i, 'volume'],
  [/too many pods/i, 'too_many_pods'],
] as const;
const PROBE_DETAILS = [
  [/readiness probe/i, 'readiness'],
  [/liveness probe/i, 'liveness'],
  [/startup probe/i, 'startup'],
] as const;

/** The category of a Warning event, or undefined when it names no cause we recognise. */
export function categorise(reason: string, message: string): Category | undefined {
  const r = reason.toLowerCase();
  if (r === 'errimagepull' || r === 'imagepullbackoff' || r === 'errimageneverpull' || r === 'inspectfailed')
    return { category: 'image_pull', detail: detailOf(message, IMAGE_DETAILS, 'pull_failed') };
  if (
    r === 'createcontainerconfigerror' ||
    /createcontainerconfigerror|(secret|configmap) "?[^ ]*"? not found|couldn't find key/i.test(message)
  )
    return { category: 'config_error', detail: /configmap/i.test(message) ? 'configmap_missing' : 'secret_missing' };
  if ((r === 'failed' || r === 'backoff') && /pull(ing)? image|errimagepull|imagepullbackoff/i.test(message))
    return { category: 'image_pull', detail: detailOf(message, IMAGE_DETAILS, 'pull_failed') };
  if (r === 'backoff' || r === 'crashloopbackoff' || /back-off restarting failed container|crashloopbackoff/i.test(message))
    return { category: 'crash_loop', detail: 'restarting' };
  if (r === 'failedscheduling') return { category: 'scheduling', detail: detailOf(message, SCHEDULING_DETAILS, 'unschedulable') };
  if ((r === 'failedcreate' || r === 'forbidden') && /exceeded quota|quota/i.test(message))
    return { category: 'quota', detail: 'exceeded_quota' };
  if (r === 'unhealthy' || /probe failed/i.test(message)) return { category: 'probe', detail: detailOf(message, PROBE_DETAILS, 'probe') };
  if (r === 'oomkilling' || r === 'oomkilled' || /oomkill|out of memory/i.test(message)) return { category: 'oom', detail: 'oom_killed' };
  if (r === 'failedmount' || r === 'failedattachvolume' || r === 'failedmapvolume') return { category: 'mount', detail: r };
  if (r === 'evicted') {
    const resource = /low on resource:? "?([a-z-]+)/i.exec(message)?.[1]?.toLowerCase();
    return { category: 'evicted', detail: resource ? `low_${resource.replace(/-/g, '_')}` : 'evicted' };
  }
  return undefined;
}

/** How sure and how bad each category is: an event that names its cause outranks a vaguer metric symptom. */
const WEIGHT: Readonly<Record<EventCategory, { severity: Severity; score: number; title: string }>> = {
  image_pull: { severity: 'critical', score: 0.95, title: 'image cannot be pulled' },
  config_error: { severity: 'critical', score: 0.95, title: 'container configuration missing' },
  scheduling: { severity: 'critical', score: 0.9, title: 'pods cannot be scheduled' },
  quota: { severity: 'critical', score: 0.9, title: 'pods refused by the namespace quota' },
  oom: { severity: 'critical', score: 0.85, title: 'containers OOM-killed' },
  crash_loop: { severity: 'warning', score: 0.8, title: 'container restarting after failures (BackOff)' },
  mount: { severity: 'warning', score: 0.8, title: 'volume cannot be mounted' },
  probe: { severity: 'warning', score: 0.7, title: 'probe failing' },
  evicted: { severity: 'warning', score: 0.7, title: 'pods evicted' },
};

/** Details that only repeat the category; any other detail of the same group replaces them. */
const GENERIC_DETAILS: ReadonlySet<string> = new Set(['pull_failed', 'unschedulable', 'probe', 'evicted', 'restarting']);

/** Repeats past which a warning-level cause is critical (a crash loop that keeps going). */
const CRITICAL_COUNT = 10;

const REPLICASET_HASH = /-[a-z0-9]{6,10}$/;

/** The workload and resource an event's object belongs to. */
function resourceOf(e: K8sEventRecord): { resource: ResourceRef; workload: string; workloadKind?: string } {
  const resource: ResourceRef = e.namespace ? { namespace: e.namespace } : {};
  const kind = e.kind.toLowerCase();
  if (kind === 'pod') {
    const workload = workloadOf(e.name);
    return { resource: { ...resource, pod: e.name, workload }, workload };
  }
  if (kind === 'replicaset') {
    const workload = e.name.replace(REPLICASET_HASH, '');
    return { resource: { ...resource, workload }, workload, workloadKind: 'deployment' };
  }
  if (kind === 'persistentvolumeclaim') return { resource: { ...resource, persistentvolumeclaim: e.name }, workload: e.name };
  return { resource: { ...resource, workload: e.name }, workload: e.name, workloadKind: kind };
}

const quote = (s: string) => JSON.stringify(s);

function eventSeries(e: K8sEventRecord): string {
  return `k8s_events{namespace=${quote(e.namespace)},kind=${quote(e.kind)},name=${quote(e.name)},reason=${quote(e.reason)}}`;
}

interface Group {
  category: EventCategory;
  detail: string;
  resource: ResourceRef;
  workload: string;
  workloadKind?: string;
  events: K8sEventRecord[];
}

/**
 * Findings from Warning events: one per workload and category (the events of its pods, ReplicaSets
 * and the workload itself folded together), evidence = the newest event rows (at most three),
 * severity raised to critical when a warning-level cause repeats CRITICAL_COUNT times.
 */
export function eventFindings(events: readonly K8sEventRecord[]): Finding[] {
  const groups = new Map<string, Group>();
  for (const e of events) {
    if (e.type !== 'Warning') continue;
    const c = categorise(e.reason, e.message);
    if (!c) continue;
    const { resource, workload, workloadKind } = resourceOf(e);
    const key = `${c.category}\u0000${e.namespace}\u0000${workload}`;
    let g = groups.get(key);
    if (!g) {
      g = { category: c.category, detail: c.detail, resource, workload, events: [], ...(workloadKind ? { workloadKind } : {}) };
      groups.set(key, g);
    }
    // The most telling detail of the group: "Back-off pulling image" says less than the "manifest unknown" before it.
    if (GENERIC_DETAILS.has(g.detail) && !GENERIC_DETAILS.has(c.detail)) g.detail = c.detail;
    // Pods of one workload: the group names the workload, not one of its pods.
    if (g.resource.pod !== undefined && resource.pod !== g.resource.pod) delete g.resource.pod;
    g.events.push(e);
  }
  return [...groups.values()].map(toFinding).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toFinding(g: Group): Finding {
  const newest = [...g.events].sort((a, b) => Date.parse(b.last_seen) - Date.parse(a.last_seen) || b.count - a.count);
  const count = g.events.reduce((s, e) => s + Math.max(1, e.count), 0);
  const firstSeen = Math.min(...g.events.map((e) => Date.parse(e.first_seen)).filter(Number.isFinite));
  const weight = WEIGHT[g.category];
  const severity: Severity = weight.severity === 'warning' && count >= CRITICAL_COUNT ? 'critical' : weight.severity;
  const where = g.resource.namespace ? `${g.resource.namespace}/${g.workload}` : g.workload;
  const detail = g.detail.replace(/_/g, ' ');
  const evidence: Evidence[] = newest.slice(0, 3).map((e) => ({
    series: eventSeries(e),
    time: new Date(Date.parse(e.last_seen)).toISOString(),
    value: Math.max(1, e.count),
    why: oneLine(`${e.type} ${e.reason} on ${e.kind}/${e.name} ×${Math.max(1, e.count)}: ${e.message}`, MESSAGE_MAX),
  }));
  return {
    id: `k8s_event:${g.category}:${g.resource.namespace ?? ''}/${g.workload}`,
    kind: 'k8s_event',
    severity,
    title: `${weight.title[0]!.toUpperCase()}${weight.title.slice(1)} for ${where}${detail !== g.category.replace(/_/g, ' ') ? ` (${detail})` : ''}`,
    resource: g.resource,
    score: weight.score,
    ...(Number.isFinite(firstSeen) ? { started_at: new Date(firstSeen).toISOString() } : {}),
    evidence,
    details: {
      source: 'k8s_events',
      category: g.category,
      detail: g.detail,
      ...namedObject(g.category, g.events),
      reason: newest[0]!.reason,
      message: oneLine(newest[0]!.message, MESSAGE_MAX),
      object: `${newest[0]!.kind}/${newest[0]!.name}`,
      occurrences: count,
      ...(g.workloadKind ? { workload_kind: g.workloadKind } : {}),
    },
  };
}

/** A quoted reference the messages name: the image that cannot be pulled, the Secret or ConfigMap that is missing. */
const IMAGE_REF = /image "([^"\s]{1,200})"/i;
const MISSING_REF = /(secret|configmap) "([^"\s]{1,200})" not found/i;

function namedObject(category: EventCategory, events: readonly K8sEventRecord[]): Record<string, string> {
  for (const e of events) {
    if (category === 'image_pull') {
      const image = IMAGE_REF.exec(e.message)?.[1];
      if (image) return { image };
    }
    if (category === 'config_error') {
      const m = MISSING_REF.exec(e.message);
      if (m) return { missing: `${m[1]!.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap'} ${m[2]}` };
    }
  }
  return {};
}

/** The category of a `k8s_event` finding (undefined for any other finding). */
export function eventCategoryOf(f: Finding): EventCategory | undefined {
  if (f.kind !== 'k8s_event') return undefined;
  const c = f.details['category'];
  return typeof c === 'string' && (EVENT_CATEGORIES as readonly string[]).includes(c) ? (c as EventCategory) : undefined;
}
