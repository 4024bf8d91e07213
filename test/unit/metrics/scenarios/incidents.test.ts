/**
 * Each scripted incident leaves its signature in the signals the query catalog reads, and a healthy
 * workspace shows none of them.
 */
import { describe, expect, it } from 'vitest';
import { demoWorkspaces, generateSeries, scenarioWorkspace, type RawSeries } from '../../../../src/metrics/scenarios/index.js';
import {
  END,
  histogramQuantile,
  HOUR,
  increase,
  isPodOf,
  lastValue,
  linearFit,
  maxOf,
  MINUTE,
  rate,
  select,
  WINDOW_6H,
} from './helpers.js';

const START = WINDOW_6H.startMs;

function generate(kinds: Parameters<typeof scenarioWorkspace>[1], seed?: number): RawSeries[] {
  return generateSeries(scenarioWorkspace('ws-test', kinds, seed), WINDOW_6H);
}

function of(all: RawSeries[], metric: string, namespace: string, workload: string, labels: Record<string, string> = {}): RawSeries[] {
  return select(all, metric, { namespace, ...labels }).filter((s) => isPodOf(s, workload));
}

/** Throttled share of CFS periods over [from, to] for a set of pods. */
function throttledRatio(all: RawSeries[], namespace: string, workload: string, from: number, to: number): number {
  const periods = rate(of(all, 'container_cpu_cfs_periods_total', namespace, workload), from, to);
  const throttled = rate(of(all, 'container_cpu_cfs_throttled_periods_total', namespace, workload), from, to);
  return throttled / periods;
}

function p95(all: RawSeries[], namespace: string, workload: string, from: number, to: number): number {
  return histogramQuantile(0.95, of(all, 'http_request_duration_seconds_bucket', namespace, workload), from, to);
}

function errorRatio(all: RawSeries[], namespace: string, workload: string, from: number, to: number): number {
  const errors = rate(of(all, 'http_requests_total', namespace, workload, { code: '500' }), from, to);
  const total = rate(of(all, 'http_requests_total', namespace, workload), from, to);
  return errors / total;
}

/** CPU cores used per pod over [from, to] (mean of rate over the pods alive throughout). */
function cpuCoresPerPod(all: RawSeries[], namespace: string, workload: string, from: number, to: number): number[] {
  return of(all, 'container_cpu_usage_seconds_total', namespace, workload)
    .filter((s) => s.times[0]! <= from && s.times[s.times.length - 1]! >= to)
    .map((s) => rate([s], from, to));
}

function limitOf(
  all: RawSeries[],
  metric: 'kube_pod_container_resource_limits' | 'kube_pod_container_resource_requests',
  namespace: string,
  workload: string,
  resource: 'cpu' | 'memory',
): number {
  const s = of(all, metric, namespace, workload, { resource });
  expect(s.length).toBeGreaterThan(0);
  return s[0]!.values[0]!;
}

describe('healthy baseline', () => {
  const cases: [string, RawSeries[]][] = [
    ...[1, 2, 3, 42, 1234].map((seed): [string, RawSeries[]] => [`scenarioWorkspace seed ${seed}`, generate([], seed)]),
    [
      'demo ws-healthy',
      generateSeries(
        demoWorkspaces().find((w) => w.workspaceId === 'ws-healthy')!,
        WINDOW_6H,
      ),
    ],
  ];
  it.each(cases)('%s: no restarts, no OOM, usage < 80 %% of limits, no throttling, few errors, stable latency', (_name, all) => {
    for (const s of select(all, 'kube_pod_container_status_restarts_total')) expect(lastValue(s)).toBe(0);
    for (const s of select(all, 'container_oom_events_total')) expect(lastValue(s)).toBe(0);
    expect(select(all, 'kube_pod_container_status_last_terminated_reason')).toHaveLength(0);
    for (const limit of select(all, 'kube_pod_container_resource_limits')) {
      const { namespace, pod, container, resource } = limit.labels;
      const cap = limit.values[0]!;
      if (resource === 'memory') {
        const ws = select(all, 'container_memory_working_set_bytes', { namespace: namespace!, pod: pod!, container: container! });
        expect(maxOf(ws)).toBeLessThan(0.8 * cap);
      } else {
        const cpu = select(all, 'container_cpu_usage_seconds_total', { namespace: namespace!, pod: pod!, container: container! })[0]!;
        for (let i = 1; i < cpu.times.length; i++) {
          const cores = ((cpu.values[i]! - cpu.values[i - 1]!) * 1000) / (cpu.times[i]! - cpu.times[i - 1]!);
          expect(cores).toBeLessThan(0.8 * cap);
        }
      }
    }
    const periods = select(all, 'container_cpu_cfs_periods_total');
    expect(periods.length).toBeGreaterThan(0);
    const throttled = rate(select(all, 'container_cpu_cfs_throttled_periods_total'), START, END) / rate(periods, START, END);
    expect(throttled).toBeLessThan(0.02);
    const requests = select(all, 'http_requests_total');
    expect(
      rate(
        requests.filter((s) => s.labels.code === '500'),
        START,
        END,
      ) / rate(requests, START, END),
    ).toBeLessThan(0.01);
    const buckets = select(all, 'http_request_duration_seconds_bucket');
    const early = histogramQuantile(0.95, buckets, START, START + 2 * HOUR);
    const late = histogramQuantile(0.95, buckets, END - 2 * HOUR, END);
    expect(late / early).toBeGreaterThan(0.6);
    expect(late / early).toBeLessThan(1.6);
    for (const s of select(all, 'kube_resourcequota', { type: 'used' })) {
      const hard = select(all, 'kube_resourcequota', { namespace: s.labels.namespace!, resource: s.labels.resource!, type: 'hard' })[0]!;
      expect(maxOf([s])).toBeLessThan(0.8 * hard.values[0]!);
    }
    for (const s of select(all, 'kubelet_volume_stats_used_bytes')) {
      const cap = select(all, 'kubelet_volume_stats_capacity_bytes', { persistentvolumeclaim: s.labels.persistentvolumeclaim! })[0]!;
      expect(maxOf([s])).toBeLessThan(0.8 * cap.values[0]!);
      expect(Math.abs(linearFit(s.times, s.values).slope) * 24 * HOUR).toBeLessThan(0.01 * cap.values[0]!);
    }
  });
});

describe('incident signatures', () => {
  it('memory_leak: working set reaches ≥ 95 % of the limit, then OOMKilled, restarted and back down, repeatedly', () => {
    const all = generate(['memory_leak']);
    const limit = limitOf(all, 'kube_pod_container_resource_limits', 'shop', 'api', 'memory');
    const ws = of(all, 'container_memory_working_set_bytes', 'shop', 'api');
    expect(ws.length).toBeGreaterThanOrEqual(2);
    for (const s of ws) {
      expect(maxOf([s])).toBeGreaterThanOrEqual(0.95 * limit);
      let drops = 0;
      for (let i = 1; i < s.values.length; i++) if (s.values[i - 1]! - s.values[i]! > 0.25 * limit) drops++;
      expect(drops).toBeGreaterThanOrEqual(2);
    }
    for (const s of of(all, 'container_oom_events_total', 'shop', 'api')) expect(increase(s)).toBeGreaterThanOrEqual(2);
    for (const s of of(all, 'kube_pod_container_status_restarts_total', 'shop', 'api')) expect(increase(s)).toBeGreaterThanOrEqual(2);
    const reasons = of(all, 'kube_pod_container_status_last_terminated_reason', 'shop', 'api', { reason: 'OOMKilled' });
    expect(reasons.length).toBe(ws.length);
    for (const s of reasons) expect(lastValue(s)).toBe(1);
    // Nothing else is touched.
    for (const s of select(all, 'container_oom_events_total').filter((x) => !isPodOf(x, 'api'))) expect(lastValue(s)).toBe(0);
  });

  it('cpu_saturation: usage pinned at the limit, > 50 % of CFS periods throttled, latency up', () => {
    const all = generate(['cpu_saturation']);
    const limit = limitOf(all, 'kube_pod_container_resource_limits', 'shop', 'api', 'cpu');
    const from = END - HOUR;
    for (const cores of cpuCoresPerPod(all, 'shop', 'api', from, END)) expect(cores).toBeGreaterThanOrEqual(0.95 * limit);
    expect(throttledRatio(all, 'shop', 'api', from, END)).toBeGreaterThan(0.5);
    expect(throttledRatio(all, 'shop', 'api', START, START + HOUR)).toBeLessThan(0.05);
    expect(p95(all, 'shop', 'api', from, END) / p95(all, 'shop', 'api', START, START + 2 * HOUR)).toBeGreaterThan(2);
  });

  it('crash_loop_after_deploy: a new ReplicaSet at the start whose pods restart ≥ 3 times, never ready, Error; the rollout stalls', () => {
    const all = generate(['crash_loop_after_deploy']);
    const start = END - 1.5 * HOUR;
    const infos = of(all, 'kube_pod_info', 'shop', 'frontend');
    const newPods = infos.filter((s) => s.times[0]! >= start && s.times[0]! <= start + MINUTE).map((s) => s.labels.pod!);
    const oldPods = infos.filter((s) => s.times[0]! < start).map((s) => s.labels.pod!);
    expect(newPods.length).toBeGreaterThanOrEqual(1);
    expect(oldPods.length).toBeGreaterThanOrEqual(1);
    const newRs = infos.find((s) => s.labels.pod === newPods[0])!.labels.created_by_name;
    expect(infos.find((s) => s.labels.pod === oldPods[0])!.labels.created_by_name).not.toBe(newRs);
    for (const pod of newPods) {
      const restarts = select(all, 'kube_pod_container_status_restarts_total', { pod })[0]!;
      expect(increase(restarts)).toBeGreaterThanOrEqual(3);
      expect(lastValue(select(all, 'kube_pod_status_ready', { pod, condition: 'true' })[0]!)).toBe(0);
      expect(lastValue(select(all, 'kube_pod_status_ready', { pod, condition: 'false' })[0]!)).toBe(1);
      expect(lastValue(select(all, 'kube_pod_status_phase', { pod, phase: 'Running' })[0]!)).toBe(1);
      expect(lastValue(select(all, 'kube_pod_container_status_last_terminated_reason', { pod, reason: 'Error' })[0]!)).toBe(1);
      const image = select(all, 'kube_pod_container_info', { pod })[0]!.labels.image;
      expect(image).toBe('ghcr.io/hexabase-demo/frontend:2.3.2');
    }
    // maxUnavailable = 0 with one replica: the old pod keeps serving until the end.
    for (const pod of oldPods) {
      const ready = select(all, 'kube_pod_status_ready', { pod, condition: 'true' })[0]!;
      expect(ready.times[ready.times.length - 1]).toBe(END);
      expect(lastValue(ready)).toBe(1);
    }
  });

  it('latency_regression: after a deploy, p95 latency ×3-5 and 5-15 % HTTP 500s', () => {
    const all = generate(['latency_regression']);
    const start = END - 2 * HOUR;
    const rsAfter = new Set(
      of(all, 'kube_pod_info', 'shop', 'api')
        .filter((s) => s.times[0]! >= start)
        .map((s) => s.labels.created_by_name),
    );
    expect(rsAfter.size).toBe(1);
    const before = p95(all, 'shop', 'api', START, start - 5 * MINUTE);
    const after = p95(all, 'shop', 'api', start + 10 * MINUTE, END);
    expect(after / before).toBeGreaterThanOrEqual(3);
    expect(after / before).toBeLessThanOrEqual(5.5);
    const errors = errorRatio(all, 'shop', 'api', start + 10 * MINUTE, END);
    expect(errors).toBeGreaterThanOrEqual(0.05);
    expect(errors).toBeLessThanOrEqual(0.15);
    expect(errorRatio(all, 'shop', 'api', START, start - 5 * MINUTE)).toBeLessThan(0.01);
  });

  it('pvc_filling: a linear fit of used bytes reaches capacity 0-12 h after the window end', () => {
    const all = generate(['pvc_filling']);
    const used = select(all, 'kubelet_volume_stats_used_bytes', { namespace: 'data', persistentvolumeclaim: 'data-postgres-0' })[0]!;
    const capacity = select(all, 'kubelet_volume_stats_capacity_bytes', { persistentvolumeclaim: 'data-postgres-0' })[0]!.values[0]!;
    const { slope, intercept } = linearFit(used.times, used.values);
    expect(slope).toBeGreaterThan(0);
    const fullAt = (capacity - intercept) / slope;
    expect(fullAt).toBeGreaterThan(END);
    expect(fullAt).toBeLessThan(END + 12 * HOUR);
    expect(lastValue(used)).toBeLessThan(capacity);
  });

  it('noisy_neighbour: one workload spikes; the others in its namespace are throttled and slower', () => {
    const all = generate(['noisy_neighbour']);
    const start = END - 1.5 * HOUR;
    const before = rate(of(all, 'container_cpu_usage_seconds_total', 'shop', 'report-builder'), START, start - MINUTE);
    const during = rate(of(all, 'container_cpu_usage_seconds_total', 'shop', 'report-builder'), start + 5 * MINUTE, END);
    expect(during / before).toBeGreaterThan(8);
    for (const victim of ['frontend', 'api']) {
      expect(throttledRatio(all, 'shop', victim, START, start - MINUTE)).toBeLessThan(0.05);
      expect(throttledRatio(all, 'shop', victim, start + 5 * MINUTE, END)).toBeGreaterThan(0.3);
      expect(p95(all, 'shop', victim, start + 5 * MINUTE, END) / p95(all, 'shop', victim, START, start - MINUTE)).toBeGreaterThan(1.5);
    }
    // Other namespaces are not affected.
    expect(throttledRatio(all, 'data', 'postgres', start + 5 * MINUTE, END)).toBeLessThan(0.05);
  });

  it('egress_spike: transmit bytes rate ×10-50', () => {
    const all = generate(['egress_spike']);
    const tx = of(all, 'container_network_transmit_bytes_total', 'shop', 'api');
    const ratio = rate(tx, END - 45 * MINUTE, END) / rate(tx, START, START + HOUR);
    expect(ratio).toBeGreaterThanOrEqual(10);
    expect(ratio).toBeLessThanOrEqual(50);
  });

  it('quota_exhaustion: namespace requests reach ≥ 95 % of the quota', () => {
    const all = generate(['quota_exhaustion']);
    const used = select(all, 'kube_resourcequota', { namespace: 'shop', resource: 'requests.cpu', type: 'used' })[0]!;
    const hard = select(all, 'kube_resourcequota', { namespace: 'shop', resource: 'requests.cpu', type: 'hard' })[0]!;
    expect(lastValue(used) / lastValue(hard)).toBeGreaterThanOrEqual(0.95);
    expect(lastValue(used) / lastValue(hard)).toBeLessThanOrEqual(1);
    expect(used.values[0]! / hard.values[0]!).toBeLessThan(0.8);
    const apiPodsAtEnd = of(all, 'kube_pod_info', 'shop', 'api').filter((s) => s.times[s.times.length - 1] === END);
    expect(apiPodsAtEnd.length).toBe(5);
  });

  it('over_provisioned: requests ≥ 4× actual usage all along', () => {
    const all = generate(['over_provisioned']);
    const cpuRequest = limitOf(all, 'kube_pod_container_resource_requests', 'shop', 'frontend', 'cpu');
    const memRequest = limitOf(all, 'kube_pod_container_resource_requests', 'shop', 'frontend', 'memory');
    for (const s of of(all, 'container_cpu_usage_seconds_total', 'shop', 'frontend')) {
      for (let i = 1; i < s.times.length; i++) {
        const cores = ((s.values[i]! - s.values[i - 1]!) * 1000) / (s.times[i]! - s.times[i - 1]!);
        expect(cpuRequest).toBeGreaterThanOrEqual(4 * cores);
      }
    }
    expect(memRequest).toBeGreaterThanOrEqual(4 * maxOf(of(all, 'container_memory_working_set_bytes', 'shop', 'frontend')));
  });

  it('mining_pattern: an idle workload pinned at its CPU limit with more egress, no restarts', () => {
    const all = generate(['mining_pattern']);
    const start = END - 3 * HOUR;
    const limit = limitOf(all, 'kube_pod_container_resource_limits', 'tools', 'docs', 'cpu');
    const [idle] = cpuCoresPerPod(all, 'tools', 'docs', START, start - MINUTE);
    const [busy] = cpuCoresPerPod(all, 'tools', 'docs', start + 2 * MINUTE, END);
    expect(idle).toBeLessThan(0.15 * limit);
    expect(busy).toBeGreaterThan(0.95 * limit);
    const tx = of(all, 'container_network_transmit_bytes_total', 'tools', 'docs');
    expect(rate(tx, start + MINUTE, END) / rate(tx, START, start - MINUTE)).toBeGreaterThan(3);
    for (const s of of(all, 'kube_pod_container_status_restarts_total', 'tools', 'docs')) expect(lastValue(s)).toBe(0);
    expect(throttledRatio(all, 'tools', 'docs', start + 5 * MINUTE, END)).toBeGreaterThan(0.5);
  });

  it('demo workspaces carry the promised incidents', () => {
    const [demo, acme] = demoWorkspaces().map((w) => generateSeries(w, WINDOW_6H));
    const cartLimit = limitOf(demo!, 'kube_pod_container_resource_limits', 'shop', 'cart', 'memory');
    expect(maxOf(of(demo!, 'container_memory_working_set_bytes', 'shop', 'cart'))).toBeGreaterThanOrEqual(0.95 * cartLimit);
    expect(of(demo!, 'container_oom_events_total', 'shop', 'cart').reduce((n, s) => n + increase(s), 0)).toBeGreaterThan(0);
    const used = select(demo!, 'kubelet_volume_stats_used_bytes', { persistentvolumeclaim: 'data-postgres-0' })[0]!;
    const { slope, intercept } = linearFit(used.times, used.values);
    const capacity = select(demo!, 'kubelet_volume_stats_capacity_bytes', { persistentvolumeclaim: 'data-postgres-0' })[0]!.values[0]!;
    expect((capacity - intercept) / slope).toBeLessThan(END + 12 * HOUR);
    expect(throttledRatio(acme!, 'web', 'search', END - HOUR, END)).toBeGreaterThan(0.5);
    expect(p95(acme!, 'web', 'gateway', END - HOUR, END) / p95(acme!, 'web', 'gateway', START, START + 2 * HOUR)).toBeGreaterThan(3);
  });
});
