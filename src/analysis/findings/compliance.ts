/**
 * Compliance analyser: containers running without CPU or memory requests/limits (the request or
 * limit series is absent for a container that has usage), images tagged `:latest` or untagged
 * (kube_pod_container_info through the `container_info` catalog query), and crash loops.
 */
import type { Finding, SeriesData } from '../types.js';
import { crashLoops } from './health.js';
import { containerKey, evidenceAt, makeFinding, resourceOf } from './series-utils.js';

export const COMPLIANCE_QUERIES = [
  'cpu_usage',
  'memory_working_set',
  'cpu_requests',
  'cpu_limits',
  'memory_requests',
  'memory_limits',
  'container_info',
  'restarts',
] as const;

/** What a missing setting means, and how bad it is. */
const SETTINGS = [
  {
    query: 'cpu_requests',
    label: 'CPU request',
    severity: 'warning',
    why: 'the scheduler reserves no CPU for it: it is the first to starve under contention',
  },
  {
    query: 'memory_requests',
    label: 'memory request',
    severity: 'warning',
    why: 'the scheduler reserves no memory for it: it is the first evicted under pressure',
  },
  {
    query: 'memory_limits',
    label: 'memory limit',
    severity: 'warning',
    why: 'nothing bounds its memory: a leak takes the node memory of its neighbours',
  },
  {
    query: 'cpu_limits',
    label: 'CPU limit',
    severity: 'info',
    why: 'nothing caps its CPU: it can starve neighbours on a node without requests (some policies leave CPU unlimited on purpose)',
  },
] as const;

export function analyseCompliance(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  return [...missingResources(byQuery), ...imageTags(byQuery), ...crashLoops(byQuery)];
}

function missingResources(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  // Only settings whose query was fetched at all: an absent query is "not asked", not "not set".
  const present = SETTINGS.filter((s) => byQuery.has(s.query)).map((s) => ({
    ...s,
    keys: new Set((byQuery.get(s.query) ?? []).map((x) => containerKey(x.labels))),
  }));
  const out: Finding[] = [];
  for (const usage of byQuery.get('cpu_usage') ?? byQuery.get('memory_working_set') ?? []) {
    if (!usage.labels.container || usage.values.length === 0) continue;
    const missing = present.filter((s) => !s.keys.has(containerKey(usage.labels)));
    if (missing.length === 0) continue;
    const severity = missing.some((m) => m.severity === 'warning') ? 'warning' : 'info';
    const last = usage.values.length - 1;
    out.push(
      makeFinding({
        kind: 'compliance',
        severity,
        title: `Container ${usage.labels.container} of ${usage.labels.pod} runs without ${missing.map((m) => m.label).join(', ')}`,
        resource: resourceOf(usage.labels),
        score: severity === 'warning' ? 0.6 : 0.3,
        evidence: [
          evidenceAt(usage, last, `the container is running (usage present) but has no ${missing.map((m) => m.label).join(', ')} series`),
        ],
        details: { rule: 'resources_set', missing: missing.map((m) => m.label), why: missing.map((m) => `${m.label}: ${m.why}`) },
        idSuffix: 'resources',
      }),
    );
  }
  return out;
}

/** The tag of an image reference (`registry:5000/repo/app:1.2` → `1.2`), `undefined` when untagged; digests count as pinned. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return image.slice(image.indexOf('@') + 1);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 ? undefined : image.slice(colon + 1);
}

function imageTags(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('container_info') ?? []) {
    const image = s.labels.image;
    if (!image || s.values.length === 0) continue;
    const tag = imageTag(image);
    if (tag !== undefined && tag !== 'latest') continue;
    out.push(
      makeFinding({
        kind: 'compliance',
        severity: 'warning',
        title: `Container ${s.labels.container} of ${s.labels.pod} runs ${tag === undefined ? 'an untagged image' : 'a :latest image'} (${image})`,
        resource: resourceOf(s.labels),
        score: 0.5,
        evidence: [evidenceAt(s, s.values.length - 1, `image ${image} is not pinned: a restart may pull different code`)],
        details: { rule: 'image_pinned', image, tag: tag ?? null },
        idSuffix: 'image',
      }),
    );
  }
  return out;
}
