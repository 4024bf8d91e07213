/**
 * Ready-made workspaces: the three demo tenants, a small baseline workspace with incidents placed on
 * sensible targets (tests, eval cases), and a large one for benchmarks. Descriptions carry the ground
 * truth an evaluation scores against.
 */
import { hashString } from './prng.js';
import {
  isIncidentKind,
  type IncidentKind,
  type IncidentSpec,
  type NamespaceSpec,
  type WorkloadSpec,
  type WorkspaceScenario,
} from './types.js';

const MI = 1_048_576;
const GI = 1_073_741_824;
const HOUR = 3_600_000;

/** How long before the window end each kind starts when only kinds are given. */
export const DEFAULT_STARTS_BEFORE_END_MS: Record<IncidentKind, number> = {
  memory_leak: 5 * HOUR,
  cpu_saturation: 2 * HOUR,
  crash_loop_after_deploy: 1.5 * HOUR,
  latency_regression: 2 * HOUR,
  pvc_filling: 24 * HOUR,
  noisy_neighbour: 1.5 * HOUR,
  egress_spike: 1 * HOUR,
  quota_exhaustion: 3 * HOUR,
  over_provisioned: 30 * 24 * HOUR,
  mining_pattern: 3 * HOUR,
};

/** Where each kind lands in the baseline workspace of `scenarioWorkspace`. */
const DEFAULT_TARGET: Record<IncidentKind, { namespace: string; workload: string }> = {
  memory_leak: { namespace: 'shop', workload: 'api' },
  cpu_saturation: { namespace: 'shop', workload: 'api' },
  crash_loop_after_deploy: { namespace: 'shop', workload: 'frontend' },
  latency_regression: { namespace: 'shop', workload: 'api' },
  pvc_filling: { namespace: 'data', workload: 'postgres' },
  noisy_neighbour: { namespace: 'shop', workload: 'report-builder' },
  egress_spike: { namespace: 'shop', workload: 'api' },
  quota_exhaustion: { namespace: 'shop', workload: 'api' },
  over_provisioned: { namespace: 'shop', workload: 'frontend' },
  mining_pattern: { namespace: 'tools', workload: 'docs' },
};

function hours(ms: number): string {
  return `${Math.round((ms / HOUR) * 10) / 10} h`;
}

/** One line of ground truth per incident. */
export function describeIncident(spec: IncidentSpec): string {
  const where = `${spec.namespace}/${spec.workload}`;
  const since = `since ${hours(spec.startsBeforeEndMs)} before the window end`;
  switch (spec.kind) {
    case 'memory_leak':
      return `memory leak in ${where} ${since}: working set climbs to the memory limit, the container is OOMKilled and restarts, repeatedly`;
    case 'cpu_saturation':
      return `CPU saturation in ${where} ${since}: usage pinned at the CPU limit after a traffic surge, more than half of CFS periods throttled, latency about 3x`;
    case 'crash_loop_after_deploy':
      return `crash loop after a deploy of ${where} ${since}: the new ReplicaSet's pods exit with Error and restart with back-off, never ready; the rollout stalls with old pods still serving`;
    case 'latency_regression':
      return `latency regression after a deploy of ${where} ${since}: p95 latency about 4x and 8-12 % HTTP 500s on the new pods`;
    case 'pvc_filling':
      return `PVC of ${where} filling linearly ${since}: reaches capacity a few hours after the window end`;
    case 'noisy_neighbour':
      return `noisy neighbour: ${where} CPU spikes ${since}; the other workloads of ${spec.namespace} are throttled and slower`;
    case 'egress_spike':
      return `egress spike from ${where} ${since}: transmitted bytes about 30x normal`;
    case 'quota_exhaustion':
      return `quota exhaustion in namespace ${spec.namespace} ${since}: ${spec.workload} scales out until requests use at least 95 % of the ResourceQuota`;
    case 'over_provisioned':
      return `over-provisioned ${where}: CPU and memory requests at least 4x actual usage all along (right-sizing target)`;
    case 'mining_pattern':
      return `suspected crypto-mining in ${where} ${since}: a normally idle workload pinned at its CPU limit day and night with steady egress, no restarts`;
  }
}

function describe(workspaceId: string, summary: string, incidents: readonly IncidentSpec[]): string {
  if (incidents.length === 0) return `${workspaceId}: ${summary}. Ground truth: healthy, no incident; only routine deploys.`;
  return `${workspaceId}: ${summary}. Ground truth: ${incidents.map(describeIncident).join('; ')}. Everything else is healthy.`;
}

function workload(
  name: string,
  replicas: number,
  image: string,
  cpu: { request: number; limit?: number; base: number },
  memory: { request: number; limit?: number; base: number },
  extra: Pick<WorkloadSpec, 'http' | 'pvc'> = {},
): WorkloadSpec {
  return {
    name,
    replicas,
    image,
    cpuRequestCores: cpu.request,
    ...(cpu.limit !== undefined ? { cpuLimitCores: cpu.limit } : {}),
    memoryRequestBytes: memory.request,
    ...(memory.limit !== undefined ? { memoryLimitBytes: memory.limit } : {}),
    baseCpuCores: cpu.base,
    baseMemoryBytes: memory.base,
    ...extra,
  };
}

/** The three demo tenants of `npm run demo:prometheus` and the examples. */
export function demoWorkspaces(): WorkspaceScenario[] {
  const demoIncidents: IncidentSpec[] = [
    { kind: 'memory_leak', namespace: 'shop', workload: 'cart', startsBeforeEndMs: 5 * HOUR },
    { kind: 'pvc_filling', namespace: 'data', workload: 'postgres', startsBeforeEndMs: 24 * HOUR },
  ];
  const acmeIncidents: IncidentSpec[] = [
    { kind: 'cpu_saturation', namespace: 'web', workload: 'search', startsBeforeEndMs: 2 * HOUR },
    { kind: 'latency_regression', namespace: 'web', workload: 'gateway', startsBeforeEndMs: 1.5 * HOUR },
  ];
  return [
    {
      workspaceId: 'ws-demo',
      seed: 101,
      namespaces: [
        {
          name: 'shop',
          quota: { cpuCores: 4, memoryBytes: 8 * GI },
          workloads: [
            workload(
              'storefront',
              2,
              'ghcr.io/hexabase-demo/storefront:3.2.0',
              { request: 0.2, limit: 0.6, base: 0.09 },
              { request: 256 * MI, limit: 512 * MI, base: 180 * MI },
              { http: { baseRps: 30, baseLatencySeconds: 0.05 } },
            ),
            workload(
              'cart',
              2,
              'ghcr.io/hexabase-demo/cart:1.4.2',
              { request: 0.15, limit: 0.5, base: 0.06 },
              { request: 256 * MI, limit: 512 * MI, base: 210 * MI },
              { http: { baseRps: 20, baseLatencySeconds: 0.02 } },
            ),
            workload(
              'checkout',
              1,
              'ghcr.io/hexabase-demo/checkout:2.0.7',
              { request: 0.2, limit: 0.8, base: 0.07 },
              { request: 256 * MI, limit: 512 * MI, base: 190 * MI },
              { http: { baseRps: 6, baseLatencySeconds: 0.12 } },
            ),
          ],
        },
        {
          name: 'data',
          workloads: [
            workload(
              'postgres',
              1,
              'docker.io/library/postgres:16.3',
              { request: 0.5, limit: 2, base: 0.22 },
              { request: 1 * GI, limit: 2 * GI, base: 760 * MI },
              { pvc: { name: 'data-postgres-0', capacityBytes: 50 * GI, baseUsedBytes: 24 * GI } },
            ),
            workload(
              'redis',
              1,
              'docker.io/library/redis:7.2.5',
              { request: 0.1, limit: 0.5, base: 0.03 },
              { request: 128 * MI, limit: 256 * MI, base: 80 * MI },
            ),
          ],
        },
      ],
      incidents: demoIncidents,
      // Only the events show it: a release of checkout whose image tag does not exist (the old pod keeps serving).
      eventIncidents: [
        {
          kind: 'bad_image',
          namespace: 'shop',
          workload: 'checkout',
          startsBeforeEndMs: 0.7 * HOUR,
          image: 'ghcr.io/hexabase-demo/checkout:2.1.0-rc',
        },
      ],
      description: describe('ws-demo', 'online shop (shop: storefront, cart, checkout; data: postgres, redis)', demoIncidents),
    },
    {
      workspaceId: 'ws-acme',
      seed: 202,
      namespaces: [
        {
          name: 'web',
          workloads: [
            workload(
              'gateway',
              2,
              'ghcr.io/acme/gateway:5.1.3',
              { request: 0.25, limit: 1, base: 0.12 },
              { request: 256 * MI, limit: 512 * MI, base: 160 * MI },
              { http: { baseRps: 80, baseLatencySeconds: 0.025 } },
            ),
            workload(
              'search',
              2,
              'ghcr.io/acme/search:0.14.2',
              { request: 0.5, limit: 1, base: 0.32 },
              { request: 512 * MI, limit: GI, base: 420 * MI },
              { http: { baseRps: 35, baseLatencySeconds: 0.09 } },
            ),
          ],
        },
        {
          name: 'batch',
          workloads: [
            workload(
              'etl',
              1,
              'ghcr.io/acme/etl:2.6.0',
              { request: 0.5, limit: 2, base: 0.25 },
              { request: 512 * MI, limit: 1536 * MI, base: 600 * MI },
            ),
          ],
        },
      ],
      incidents: acmeIncidents,
      // Only the security events show it: someone guessing the admin password of the gateway's login.
      eventIncidents: [{ kind: 'login_brute_force', namespace: 'web', workload: 'gateway', startsBeforeEndMs: 0.5 * HOUR }],
      description: describe('ws-acme', 'SaaS API (web: gateway, search; batch: etl)', acmeIncidents),
    },
    {
      workspaceId: 'ws-healthy',
      seed: 303,
      namespaces: [
        {
          name: 'app',
          quota: { cpuCores: 2, memoryBytes: 4 * GI },
          workloads: [
            workload(
              'web',
              2,
              'ghcr.io/healthy/web:1.0.3',
              { request: 0.2, limit: 0.5, base: 0.07 },
              { request: 192 * MI, limit: 384 * MI, base: 130 * MI },
              { http: { baseRps: 15, baseLatencySeconds: 0.04 } },
            ),
            workload(
              'worker',
              1,
              'ghcr.io/healthy/worker:1.0.3',
              { request: 0.2, limit: 1, base: 0.1 },
              { request: 256 * MI, limit: 512 * MI, base: 170 * MI },
            ),
          ],
        },
        {
          name: 'data',
          workloads: [
            workload(
              'mysql',
              1,
              'docker.io/library/mysql:8.4.2',
              { request: 0.5, limit: 2, base: 0.15 },
              { request: GI, limit: 2 * GI, base: 700 * MI },
              { pvc: { name: 'data-mysql-0', capacityBytes: 30 * GI, baseUsedBytes: 11 * GI } },
            ),
          ],
        },
      ],
      incidents: [],
      // Noise, not an incident: web logs a cache-miss error every few minutes, as often now as all along.
      eventIncidents: [{ kind: 'noisy_logs', namespace: 'app', workload: 'web', startsBeforeEndMs: 0 }],
      description: describe('ws-healthy', 'small web app (app: web, worker; data: mysql)', []),
    },
  ];
}

function baselineNamespaces(withReportBuilder: boolean): NamespaceSpec[] {
  const shop: WorkloadSpec[] = [
    workload(
      'frontend',
      1,
      'ghcr.io/hexabase-demo/frontend:2.3.1',
      { request: 0.2, limit: 0.5, base: 0.08 },
      { request: 256 * MI, limit: 512 * MI, base: 170 * MI },
      { http: { baseRps: 25, baseLatencySeconds: 0.03 } },
    ),
    workload(
      'api',
      2,
      'ghcr.io/hexabase-demo/api:1.8.4',
      { request: 0.25, limit: 1, base: 0.15 },
      { request: 384 * MI, limit: 768 * MI, base: 300 * MI },
      { http: { baseRps: 40, baseLatencySeconds: 0.06 } },
    ),
  ];
  // A batch job with no CPU limit: the only kind of workload that can starve its neighbours.
  if (withReportBuilder) {
    shop.push(
      workload(
        'report-builder',
        1,
        'ghcr.io/hexabase-demo/report-builder:0.6.0',
        { request: 0.1, base: 0.05 },
        { request: 256 * MI, limit: GI, base: 150 * MI },
      ),
    );
  }
  return [
    { name: 'shop', quota: { cpuCores: 4, memoryBytes: 8 * GI }, workloads: shop },
    {
      name: 'data',
      workloads: [
        workload(
          'postgres',
          1,
          'docker.io/library/postgres:16.3',
          { request: 0.5, limit: 2, base: 0.2 },
          { request: GI, limit: 2 * GI, base: 700 * MI },
          { pvc: { name: 'data-postgres-0', capacityBytes: 20 * GI, baseUsedBytes: 7 * GI } },
        ),
      ],
    },
    // Normally idle: a docs site nobody reads. The obvious place for a miner to hide.
    {
      name: 'tools',
      workloads: [
        workload(
          'docs',
          1,
          'ghcr.io/hexabase-demo/docs:0.9.2',
          { request: 0.05, limit: 0.5, base: 0.02 },
          { request: 96 * MI, limit: 192 * MI, base: 60 * MI },
        ),
      ],
    },
  ];
}

const QUOTA_SCALE_UP_REPLICAS = 3;

/**
 * A small baseline workspace (3 namespaces, 4 workloads, 5 pods) plus the given incidents. Kinds land on
 * the targets above with default start times; full specs are used as given. `[]` is a healthy workspace.
 */
export function scenarioWorkspace(workspaceId: string, incidents: IncidentKind[] | IncidentSpec[], seed?: number): WorkspaceScenario {
  const specs: IncidentSpec[] = incidents.map((item) => {
    if (typeof item !== 'string') return { ...item };
    if (!isIncidentKind(item)) throw new RangeError(`unknown incident kind "${String(item)}"`);
    return { kind: item, ...DEFAULT_TARGET[item], startsBeforeEndMs: DEFAULT_STARTS_BEFORE_END_MS[item] };
  });
  const namespaces = baselineNamespaces(specs.some((s) => s.workload === 'report-builder'));
  // A tight quota for quota exhaustion: room for exactly three more replicas of the target, ≥ 95 % used then.
  for (const spec of specs) {
    if (spec.kind !== 'quota_exhaustion') continue;
    const ns = namespaces.find((n) => n.name === spec.namespace);
    const target = ns?.workloads.find((w) => w.name === spec.workload);
    if (!ns || !target) continue;
    const cpu = ns.workloads.reduce((sum, w) => sum + w.replicas * w.cpuRequestCores, 0) + QUOTA_SCALE_UP_REPLICAS * target.cpuRequestCores;
    const mem =
      ns.workloads.reduce((sum, w) => sum + w.replicas * w.memoryRequestBytes, 0) + QUOTA_SCALE_UP_REPLICAS * target.memoryRequestBytes;
    ns.quota = { cpuCores: Math.round((cpu + 0.03) * 1000) / 1000, memoryBytes: Math.ceil((mem * 1.5) / GI) * GI };
  }
  const summary = 'baseline shop (shop: frontend, api; data: postgres; tools: docs)';
  return {
    workspaceId,
    seed: seed ?? hashString(workspaceId),
    namespaces,
    incidents: specs,
    description: describe(workspaceId, summary, specs),
  };
}

/** A big healthy workspace of about `pods` pods (2-3 replicas per workload, 8 workloads per namespace) for benchmarks. */
export function scaledWorkspace(workspaceId: string, pods: number, seed?: number): WorkspaceScenario {
  const namespaces: NamespaceSpec[] = [];
  let remaining = Math.max(1, Math.floor(pods));
  for (let w = 0; remaining > 0; w++) {
    const nsIndex = Math.floor(w / 8);
    if (!namespaces[nsIndex]) namespaces.push({ name: `team-${nsIndex + 1}`, workloads: [] });
    const replicas = Math.min(remaining, 2 + (w % 2));
    remaining -= replicas;
    const http = w % 2 === 0 ? { http: { baseRps: 10 + (w % 7) * 5, baseLatencySeconds: 0.02 + (w % 5) * 0.02 } } : {};
    namespaces[nsIndex]!.workloads.push(
      workload(
        `svc-${w + 1}`,
        replicas,
        `ghcr.io/bench/svc-${w + 1}:1.0.${w % 10}`,
        { request: 0.2, limit: 1, base: 0.05 + (w % 4) * 0.03 },
        { request: 256 * MI, limit: 512 * MI, base: (120 + (w % 6) * 20) * MI },
        http,
      ),
    );
  }
  return {
    workspaceId,
    seed: seed ?? hashString(workspaceId),
    namespaces,
    incidents: [],
    description: describe(workspaceId, `benchmark workspace with ${Math.floor(pods)} pods in ${namespaces.length} namespaces`, []),
  };
}
