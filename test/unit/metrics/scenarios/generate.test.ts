/**
 * Shape and invariants of generated series: labels, names, pod naming, determinism across seeds and
 * windows, counter monotonicity, histogram consistency, routine deploys.
 */
import { describe, expect, it } from 'vitest';
import {
  demoWorkspaces,
  generateSeries,
  INCIDENT_KINDS,
  scaledWorkspace,
  scenarioWorkspace,
  type RawSeries,
  type TimeWindow,
} from '../../../../src/metrics/scenarios/index.js';
import { END, HOUR, identity, isPodOf, lastValue, select, valueAt, WINDOW_6H } from './helpers.js';

/** Each metric and the exact label set (besides workspace_id) the query catalog relies on. */
const LABELS: Record<string, string[]> = {
  container_cpu_usage_seconds_total: ['namespace', 'pod', 'container'],
  container_cpu_cfs_periods_total: ['namespace', 'pod', 'container'],
  container_cpu_cfs_throttled_periods_total: ['namespace', 'pod', 'container'],
  container_memory_working_set_bytes: ['namespace', 'pod', 'container'],
  container_oom_events_total: ['namespace', 'pod', 'container'],
  container_network_receive_bytes_total: ['namespace', 'pod', 'interface'],
  container_network_transmit_bytes_total: ['namespace', 'pod', 'interface'],
  kube_pod_container_resource_requests: ['namespace', 'pod', 'container', 'resource', 'unit'],
  kube_pod_container_resource_limits: ['namespace', 'pod', 'container', 'resource', 'unit'],
  kube_pod_container_status_restarts_total: ['namespace', 'pod', 'container'],
  kube_pod_container_status_last_terminated_reason: ['namespace', 'pod', 'container', 'reason'],
  kube_pod_status_phase: ['namespace', 'pod', 'phase'],
  kube_pod_status_ready: ['namespace', 'pod', 'condition'],
  kube_pod_container_info: ['namespace', 'pod', 'container', 'image'],
  kube_pod_info: ['namespace', 'pod', 'node', 'created_by_kind', 'created_by_name'],
  kube_resourcequota: ['namespace', 'resource', 'type'],
  kubelet_volume_stats_used_bytes: ['namespace', 'persistentvolumeclaim'],
  kubelet_volume_stats_capacity_bytes: ['namespace', 'persistentvolumeclaim'],
  http_requests_total: ['namespace', 'pod', 'service', 'code'],
  http_request_duration_seconds_bucket: ['namespace', 'pod', 'service', 'le'],
  http_request_duration_seconds_sum: ['namespace', 'pod', 'service'],
  http_request_duration_seconds_count: ['namespace', 'pod', 'service'],
};
const COUNTERS = new Set(Object.keys(LABELS).filter((m) => m.endsWith('_total') || m.startsWith('http_request_duration_seconds_')));
const POD_NAME = /^[a-z][a-z0-9-]*-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

const everything = scenarioWorkspace('ws-all', [...INCIDENT_KINDS]);
const allSeries = [
  ...demoWorkspaces().map((w) => generateSeries(w, WINDOW_6H)),
  ...INCIDENT_KINDS.map((k) => generateSeries(scenarioWorkspace(`ws-${k.replaceAll('_', '-')}`, [k]), WINDOW_6H)),
  generateSeries(everything, WINDOW_6H),
];

function byIdentity(series: readonly RawSeries[]): Map<string, RawSeries> {
  return new Map(series.map((s) => [identity(s), s]));
}

describe('series shape', () => {
  it.each(allSeries.map((s, i) => [i, s] as const))(
    'set %i: workspace_id, namespace, catalog names and labels, types, time grid',
    (_i, series) => {
      expect(series.length).toBeGreaterThan(0);
      const ids = new Set<string>();
      // Plain checks collected into one list: millions of expect() calls would take minutes.
      const problems: string[] = [];
      for (const s of series) {
        const id = identity(s);
        const expected = LABELS[s.metric];
        if (!expected) problems.push(`${id}: metric not in the catalog`);
        else if (Object.keys(s.labels).sort().join() !== ['workspace_id', ...expected].sort().join()) problems.push(`${id}: labels`);
        if (!s.labels.workspace_id?.startsWith('ws-') || !s.labels.namespace) problems.push(`${id}: workspace_id/namespace`);
        if (s.type !== (COUNTERS.has(s.metric) ? 'counter' : 'gauge')) problems.push(`${id}: type ${s.type}`);
        if (s.help.length === 0) problems.push(`${id}: help`);
        if (s.labels.pod !== undefined && !POD_NAME.test(s.labels.pod)) problems.push(`${id}: pod name`);
        if (s.times.length !== s.values.length || s.times.length === 0) problems.push(`${id}: lengths`);
        for (let i = 0; i < s.times.length; i++) {
          const t = s.times[i]!;
          if ((t - WINDOW_6H.startMs) % WINDOW_6H.stepMs !== 0 || t < WINDOW_6H.startMs || t > WINDOW_6H.endMs)
            problems.push(`${id}: off-grid time ${t}`);
          if (i > 0 && !(t > s.times[i - 1]!)) problems.push(`${id}: times not ascending at ${i}`);
          if (!Number.isFinite(s.values[i]!) || s.values[i]! < 0) problems.push(`${id}: bad value ${s.values[i]}`);
        }
        if (ids.has(id)) problems.push(`${id}: duplicate series`);
        ids.add(id);
        if (problems.length > 20) break;
      }
      expect(problems).toEqual([]);
      expect(new Set(series.map((s) => s.labels.workspace_id)).size).toBe(1);
    },
  );

  it('covers every catalog metric (the all-incidents workspace)', () => {
    const names = new Set(allSeries[allSeries.length - 1]!.map((s) => s.metric));
    expect([...names].sort()).toEqual(Object.keys(LABELS).sort());
  });

  it('per pod: container name = workload, ReplicaSet owner, 5 phases and 2 ready conditions that sum to 1, requests in cores/bytes', () => {
    const series = allSeries[0]!;
    const pods = select(series, 'kube_pod_info');
    expect(pods.length).toBeGreaterThan(5);
    for (const info of pods) {
      const pod = info.labels.pod!;
      expect(info.labels.created_by_kind).toBe('ReplicaSet');
      expect(pod.startsWith(`${info.labels.created_by_name}-`)).toBe(true);
      const container = select(series, 'kube_pod_container_info', { pod })[0]!;
      expect(pod.startsWith(`${container.labels.container}-`)).toBe(true);
      const phases = select(series, 'kube_pod_status_phase', { pod });
      expect(phases.map((s) => s.labels.phase).sort()).toEqual(['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown']);
      const ready = select(series, 'kube_pod_status_ready', { pod });
      let bad = 0;
      for (let i = 0; i < info.times.length; i++) {
        if (phases.reduce((sum, s) => sum + s.values[i]!, 0) !== 1) bad++;
        if (ready.reduce((sum, s) => sum + s.values[i]!, 0) !== 1) bad++;
      }
      expect(bad).toBe(0);
      expect(select(series, 'kube_pod_container_resource_requests', { pod, resource: 'cpu' })[0]!.labels.unit).toBe('core');
      expect(select(series, 'kube_pod_container_resource_requests', { pod, resource: 'memory' })[0]!.labels.unit).toBe('byte');
    }
  });

  it('HTTP: buckets ordered by le, +Inf = _count = sum over codes, integer counts', () => {
    const series = allSeries[2]!; // ws-healthy
    for (const count of select(series, 'http_request_duration_seconds_count')) {
      const pod = count.labels.pod!;
      const buckets = select(series, 'http_request_duration_seconds_bucket', { pod })
        .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), s }))
        .sort((a, b) => a.le - b.le);
      expect(buckets.map((b) => b.le)).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity]);
      const codes = select(series, 'http_requests_total', { pod });
      expect(codes.map((s) => s.labels.code).sort()).toEqual(['200', '500']);
      let bad = 0;
      for (let i = 0; i < count.times.length; i++) {
        for (let b = 1; b < buckets.length; b++) if (buckets[b]!.s.values[i]! < buckets[b - 1]!.s.values[i]!) bad++;
        if (buckets[buckets.length - 1]!.s.values[i] !== count.values[i]) bad++;
        if (codes.reduce((sum, s) => sum + s.values[i]!, 0) !== count.values[i]) bad++;
        if (!Number.isInteger(count.values[i])) bad++;
      }
      expect(bad, pod).toBe(0);
    }
  });

  it('counters never decrease', () => {
    const decreasing: string[] = [];
    for (const series of allSeries) {
      for (const s of series.filter((x) => x.type === 'counter')) {
        for (let i = 1; i < s.values.length; i++) if (s.values[i]! < s.values[i - 1]!) decreasing.push(`${identity(s)} at ${s.times[i]}`);
      }
    }
    expect(decreasing).toEqual([]);
  });

  it('every incident kind lands on an existing workload of the baseline workspace', () => {
    for (const inc of everything.incidents) {
      const ns = everything.namespaces.find((n) => n.name === inc.namespace);
      expect(
        ns?.workloads.some((w) => w.name === inc.workload),
        `${inc.kind} → ${inc.namespace}/${inc.workload}`,
      ).toBe(true);
    }
    expect(everything.description).toContain('Ground truth');
  });
});

describe('scenarios', () => {
  it('demoWorkspaces: ws-demo, ws-acme, ws-healthy with the promised ground truth', () => {
    const demos = demoWorkspaces();
    expect(demos.map((w) => w.workspaceId)).toEqual(['ws-demo', 'ws-acme', 'ws-healthy']);
    expect(demos[0]!.incidents.map((i) => `${i.kind}:${i.namespace}/${i.workload}`)).toEqual([
      'memory_leak:shop/cart',
      'pvc_filling:data/postgres',
    ]);
    expect(demos[1]!.incidents.map((i) => i.kind).sort()).toEqual(['cpu_saturation', 'latency_regression']);
    expect(demos[2]!.incidents).toEqual([]);
    for (const w of demos) expect(w.description).toContain(w.workspaceId);
    expect(demos).toEqual(demoWorkspaces()); // fresh objects, same content
  });

  it('scenarioWorkspace: small (2-3 namespaces, ≤ 5 workloads, 1-3 replicas), incidents by kind or by spec, healthy on []', () => {
    const healthy = scenarioWorkspace('ws-h', []);
    expect(healthy.incidents).toEqual([]);
    expect(healthy.namespaces.length).toBeGreaterThanOrEqual(2);
    expect(healthy.namespaces.length).toBeLessThanOrEqual(3);
    const workloads = healthy.namespaces.flatMap((n) => n.workloads);
    expect(workloads.length).toBeGreaterThanOrEqual(2);
    expect(workloads.length).toBeLessThanOrEqual(4);
    for (const w of workloads) expect(w.replicas >= 1 && w.replicas <= 3).toBe(true);
    const count = generateSeries(healthy, WINDOW_6H).length;
    expect(count).toBeGreaterThanOrEqual(60);
    expect(count).toBeLessThanOrEqual(320);

    const spec = { kind: 'egress_spike' as const, namespace: 'data', workload: 'postgres', startsBeforeEndMs: HOUR };
    expect(scenarioWorkspace('ws-s', [spec]).incidents).toEqual([spec]);
    expect(scenarioWorkspace('ws-s', ['memory_leak']).incidents[0]).toMatchObject({
      kind: 'memory_leak',
      namespace: 'shop',
      workload: 'api',
    });
    expect(() => scenarioWorkspace('ws-s', ['nope' as never])).toThrow(/unknown incident/);
    expect(scenarioWorkspace('ws-s', []).seed).toBe(scenarioWorkspace('ws-s', []).seed);
    expect(scenarioWorkspace('ws-s', [], 7).seed).toBe(7);
  });

  it('scaledWorkspace: about the requested number of pods', () => {
    const ws = scaledWorkspace('ws-big', 300, 1);
    const replicas = ws.namespaces.flatMap((n) => n.workloads).reduce((n, w) => n + w.replicas, 0);
    expect(replicas).toBe(300);
    const pods = new Set(
      select(generateSeries(ws, { startMs: END - HOUR, endMs: END, stepMs: 60_000 }), 'kube_pod_info').map((s) => s.labels.pod),
    );
    expect(pods.size).toBeGreaterThanOrEqual(300);
  });

  it('rejects an incident on a workload the scenario does not have', () => {
    const ws = scenarioWorkspace('ws-x', [{ kind: 'memory_leak', namespace: 'shop', workload: 'nope', startsBeforeEndMs: HOUR }]);
    expect(() => generateSeries(ws, WINDOW_6H)).toThrow(/shop\/nope/);
  });

  it('rejects a bad window', () => {
    const ws = scenarioWorkspace('ws-w', []);
    expect(() => generateSeries(ws, { startMs: END, endMs: END - 1, stepMs: 1000 })).toThrow(RangeError);
    expect(() => generateSeries(ws, { startMs: END - HOUR, endMs: END, stepMs: 0 })).toThrow(RangeError);
  });
});

describe('determinism', () => {
  it('same scenario and window → identical series; another seed → different values', () => {
    const a = generateSeries(scenarioWorkspace('ws-d', ['memory_leak', 'pvc_filling'], 5), WINDOW_6H);
    const b = generateSeries(scenarioWorkspace('ws-d', ['memory_leak', 'pvc_filling'], 5), WINDOW_6H);
    expect(b).toEqual(a);
    const c = generateSeries(scenarioWorkspace('ws-d', ['memory_leak', 'pvc_filling'], 6), WINDOW_6H);
    const memA = select(a, 'container_memory_working_set_bytes')[0]!;
    const memC = select(c, 'container_memory_working_set_bytes')[0]!;
    expect(Array.from(memC.values)).not.toEqual(Array.from(memA.values));
  });

  /** Gauges equal at shared timestamps; counters' per-step increases equal (exactly for integer counters). */
  function expectConsistent(big: RawSeries[], small: RawSeries[], minShared: number): void {
    const index = byIdentity(big);
    const mismatches: string[] = [];
    let compared = 0;
    for (const s of small) {
      const other = index.get(identity(s));
      if (!other) {
        mismatches.push(`${identity(s)}: missing from the larger window`);
        continue;
      }
      for (let i = 0; i < s.times.length; i++) {
        const v = valueAt(other, s.times[i]!);
        if (v === undefined) continue;
        compared++;
        if (s.type === 'gauge') {
          if (s.values[i] !== v) mismatches.push(`${identity(s)} at ${s.times[i]}: ${s.values[i]} vs ${v}`);
          continue;
        }
        const prev = i > 0 ? valueAt(other, s.times[i - 1]!) : undefined;
        if (prev === undefined) continue;
        const dSmall = s.values[i]! - s.values[i - 1]!;
        const dBig = v - prev;
        // Integer counters must agree exactly; CPU seconds up to their microsecond rounding.
        const same = Number.isInteger(dSmall) && Number.isInteger(dBig) ? dSmall === dBig : Math.abs(dSmall - dBig) < 2e-6;
        if (!same) mismatches.push(`${identity(s)} at ${s.times[i]}: increase ${dSmall} vs ${dBig}`);
      }
      if (mismatches.length > 20) break;
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(minShared);
  }

  it('overlapping windows of a healthy workspace agree at every shared timestamp (different starts and ends)', () => {
    const ws = scenarioWorkspace('ws-o', [], 11);
    const a = generateSeries(ws, { startMs: END - 6 * HOUR, endMs: END - HOUR, stepMs: 30_000 });
    const b = generateSeries(ws, { startMs: END - 4 * HOUR, endMs: END, stepMs: 30_000 });
    expectConsistent(
      a,
      b.filter((s) => s.times[0]! <= END - HOUR),
      10_000,
    );
  });

  it('with incidents, windows sharing the end agree on the overlap (incidents are placed relative to the end)', () => {
    const ws = scenarioWorkspace('ws-o', [...INCIDENT_KINDS], 12);
    const a = generateSeries(ws, WINDOW_6H);
    const b = generateSeries(ws, { startMs: END - 2 * HOUR, endMs: END, stepMs: 30_000 });
    expectConsistent(a, b, 10_000);
  });
});

describe('routine deploys', () => {
  it('healthy workloads roll now and then: a new ReplicaSet hash, the old pods’ series end, nothing restarts', () => {
    const window: TimeWindow = { startMs: END - 14 * 24 * HOUR, endMs: END, stepMs: 600_000 };
    const all = generateSeries(scenarioWorkspace('ws-r', [], 3), window);
    const infos = select(all, 'kube_pod_info');
    const replicaSets = new Map<string, Set<string>>();
    for (const s of infos) {
      const workload = s.labels.pod!.slice(0, -17);
      replicaSets.set(workload, (replicaSets.get(workload) ?? new Set()).add(s.labels.created_by_name!));
    }
    const rolled = [...replicaSets.entries()].filter(([, rs]) => rs.size > 1);
    expect(rolled.length).toBeGreaterThan(0);
    const ended = infos.filter((s) => s.times[s.times.length - 1]! < END);
    expect(ended.length).toBeGreaterThan(0);
    for (const [workload] of rolled) {
      const endedHere = ended.filter((s) => isPodOf(s, workload));
      expect(endedHere.length).toBeGreaterThan(0);
    }
    for (const s of select(all, 'kube_pod_container_status_restarts_total')) expect(lastValue(s)).toBe(0);
  });
});
