/**
 * Series assembly: plans every workload's pods, runs the model per pod, and turns the per-sample signals
 * into Prometheus series with the exact names and labels the query catalog expects. Counters are the
 * integral of the model's rates from a baseline that estimates what the pod accumulated before the window.
 */
import { CFS_PERIODS_PER_SECOND, LATENCY_BUCKETS, M, POD_PHASES, TERMINATION_REASONS, type MetricDef } from './catalog.js';
import { Float64Arena } from './arena.js';
import { fractionUnderLog, MEAN_OVER_MEDIAN } from './histogram.js';
import {
  deployFreezeMs,
  effectiveWorkload,
  planQuota,
  pvcUsedBytes,
  resolveIncidents,
  scriptedDeploys,
  type ActiveIncident,
} from './incidents.js';
import { ditherRound, hashAt, keyOf, unit } from './prng.js';
import { createSignalBuffers, podSignals, REASON_ERROR, REASON_OOM, type PodSignals } from './signals.js';
import { planWorkloadPods, type PodPlan } from './timeline.js';
import type { RawSeries, TimeWindow, WorkspaceScenario } from './types.js';

/** The window's sample instants: startMs, startMs + stepMs, … ≤ endMs. */
export function sampleTimes(window: TimeWindow): Float64Array {
  if (!(window.stepMs > 0) || !Number.isFinite(window.startMs) || !Number.isFinite(window.endMs)) {
    throw new RangeError('window needs finite startMs/endMs and stepMs > 0');
  }
  if (window.endMs < window.startMs) throw new RangeError('window endMs is before startMs');
  const n = Math.floor((window.endMs - window.startMs) / window.stepMs) + 1;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = window.startMs + i * window.stepMs;
  return times;
}

type Labels = Record<string, string>;

function roundMicro(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Collects series. Each series' `times` is a view of the window's sample times and its `values` a view
 * carved from an arena: callers get read-only data that shares buffers.
 */
class SeriesSink {
  readonly out: RawSeries[] = [];
  private readonly arena = new Float64Arena();
  constructor(
    private readonly times: Float64Array,
    private readonly base: Labels,
  ) {}

  /** Adds a series over samples [i0, i1) and returns its values (index j holds sample i0 + j) to fill. */
  series(def: MetricDef, labels: Labels, i0: number, i1: number): Float64Array {
    const values = this.arena.alloc(Math.max(0, i1 - i0));
    if (i1 > i0) {
      this.out.push({
        metric: def.name,
        type: def.type,
        help: def.help,
        labels: { ...this.base, ...labels },
        times: this.times.subarray(i0, i1),
        values,
      });
    }
    return values;
  }

  constant(def: MetricDef, labels: Labels, value: number, i0: number, i1: number): void {
    this.series(def, labels, i0, i1).fill(value);
  }

  /** Copies `source[i0..i1)` (a window-indexed signal) into a new series, optionally transformed. */
  copy(def: MetricDef, labels: Labels, source: ArrayLike<number>, i0: number, i1: number, f: (v: number) => number = (v) => v): void {
    const values = this.series(def, labels, i0, i1);
    for (let i = i0; i < i1; i++) values[i - i0] = f(source[i]!);
  }

  /** Samples only where `keep(i)` holds (a series that appears and disappears, e.g. a terminated reason). */
  masked(def: MetricDef, labels: Labels, i0: number, i1: number, keep: (i: number) => boolean, value: number): void {
    let count = 0;
    for (let i = i0; i < i1; i++) if (keep(i)) count++;
    if (count === 0) return;
    const times = this.arena.alloc(count);
    const values = this.arena.alloc(count).fill(value);
    let j = 0;
    for (let i = i0; i < i1; i++) if (keep(i)) times[j++] = this.times[i]!;
    this.out.push({ metric: def.name, type: def.type, help: def.help, labels: { ...this.base, ...labels }, times, values });
  }

  /**
   * Counter from a per-second rate: the first sample holds the estimate of what accrued since `sinceMs`,
   * later samples add rate × step. With an `integerKey` increments are dither-rounded integers (request
   * and byte counts), which also makes rates identical across overlapping windows.
   */
  counter(def: MetricDef, labels: Labels, rate: (i: number) => number, i0: number, i1: number, sinceMs: number, integerKey?: number): void {
    if (i1 <= i0) return;
    const v = this.series(def, labels, i0, i1);
    const times = this.times;
    const first = (rate(i0) * Math.max(0, times[i0]! - sinceMs)) / 1000;
    if (integerKey !== undefined) {
      v[0] = Math.floor(first);
      for (let i = i0 + 1; i < i1; i++)
        v[i - i0] = v[i - i0 - 1]! + ditherRound((rate(i) * (times[i]! - times[i - 1]!)) / 1000, integerKey, times[i]!);
      return;
    }
    // Stored in microseconds of precision (what cAdvisor reports); the running total stays exact.
    let total = first;
    v[0] = roundMicro(total);
    for (let i = i0 + 1; i < i1; i++) {
      total += (rate(i) * (times[i]! - times[i - 1]!)) / 1000;
      v[i - i0] = roundMicro(total);
    }
  }
}

function emitContainer(sink: SeriesSink, sig: PodSignals, times: Float64Array): void {
  const { pod, i0, i1 } = sig;
  if (i1 <= i0) return;
  const w = pod.workload;
  const podL = { namespace: pod.namespace, pod: pod.name };
  const ctr = { ...podL, container: w.name };
  const since = pod.createdMs;

  sink.counter(M.cpuUsage, ctr, (i) => sig.cpu[i]!, i0, i1, since);
  if (w.cpuLimitCores !== undefined) {
    sink.counter(M.cfsPeriods, ctr, () => CFS_PERIODS_PER_SECOND, i0, i1, since, pod.key ^ 0xcf5);
    sink.counter(M.cfsThrottled, ctr, (i) => CFS_PERIODS_PER_SECOND * sig.throttle[i]!, i0, i1, since, pod.key ^ 0xcf6);
  }
  sink.copy(M.memoryWorkingSet, ctr, sig.memory, i0, i1, Math.round);
  sink.copy(M.oomEvents, ctr, sig.ooms, i0, i1);
  sink.counter(M.netReceive, { ...podL, interface: 'eth0' }, (i) => sig.rx[i]!, i0, i1, since, pod.key ^ 0x4e1);
  sink.counter(M.netTransmit, { ...podL, interface: 'eth0' }, (i) => sig.tx[i]!, i0, i1, since, pod.key ^ 0x4e2);

  sink.constant(M.requests, { ...ctr, resource: 'cpu', unit: 'core' }, w.cpuRequestCores, i0, i1);
  sink.constant(M.requests, { ...ctr, resource: 'memory', unit: 'byte' }, w.memoryRequestBytes, i0, i1);
  if (w.cpuLimitCores !== undefined) sink.constant(M.limits, { ...ctr, resource: 'cpu', unit: 'core' }, w.cpuLimitCores, i0, i1);
  if (w.memoryLimitBytes !== undefined) sink.constant(M.limits, { ...ctr, resource: 'memory', unit: 'byte' }, w.memoryLimitBytes, i0, i1);
  sink.copy(M.restarts, ctr, sig.restarts, i0, i1);
  const reasonCodes = [REASON_OOM, REASON_ERROR];
  TERMINATION_REASONS.forEach((reason, r) => {
    const code = reasonCodes[r];
    sink.masked(M.lastTerminated, { ...ctr, reason }, i0, i1, (i) => sig.reason[i] === code, 1);
  });
  POD_PHASES.forEach((phase, p) => sink.copy(M.phase, { ...podL, phase }, sig.phase, i0, i1, (v) => (v === p ? 1 : 0)));
  sink.copy(M.ready, { ...podL, condition: 'true' }, sig.ready, i0, i1);
  sink.copy(M.ready, { ...podL, condition: 'false' }, sig.ready, i0, i1, (v) => 1 - v);
  sink.constant(M.containerInfo, { ...ctr, image: pod.revision.image }, 1, i0, i1);
  sink.constant(M.podInfo, { ...podL, node: pod.node, created_by_kind: 'ReplicaSet', created_by_name: pod.replicaSet }, 1, i0, i1);
  if (w.http) emitHttp(sink, sig, times);
}

const LOG_BUCKETS = LATENCY_BUCKETS.map((le) => Math.log(le));

/** Requests by code and the latency histogram, all from the same integer request counts per step. */
function emitHttp(sink: SeriesSink, sig: PodSignals, times: Float64Array): void {
  const { pod, i0, i1 } = sig;
  const labels = { namespace: pod.namespace, pod: pod.name, service: pod.workload.name };
  const kReq = pod.key ^ 0x4771;
  const kErr = pod.key ^ 0x4772;
  const kBkt = pod.key ^ 0x4773;
  const ok = sink.series(M.httpRequests, { ...labels, code: '200' }, i0, i1);
  const errors = sink.series(M.httpRequests, { ...labels, code: '500' }, i0, i1);
  const buckets = LATENCY_BUCKETS.map((le) => sink.series(M.httpBucket, { ...labels, le: String(le) }, i0, i1));
  const total = sink.series(M.httpBucket, { ...labels, le: '+Inf' }, i0, i1);
  const sum = sink.series(M.httpSum, labels, i0, i1);
  const count = sink.series(M.httpCount, labels, i0, i1);
  for (let i = i0; i < i1; i++) {
    const j = i - i0;
    const t = times[i]!;
    const first = j === 0;
    // The first sample carries an estimate of everything served since the pod started.
    const dtMs = first ? Math.max(0, t - pod.createdMs) : t - times[i - 1]!;
    const expected = (sig.rps[i]! * dtMs) / 1000;
    const req = first ? Math.floor(expected) : ditherRound(expected, kReq, t);
    const errExpected = req * sig.errorRatio[i]!;
    const err = Math.min(req, first ? Math.floor(errExpected) : ditherRound(errExpected, kErr, t));
    const median = sig.latency[i]!;
    const u = first ? 0 : unit(hashAt(kBkt, t));
    const prev = first ? 0 : total[j - 1]!;
    total[j] = prev + req;
    count[j] = total[j]!;
    errors[j] = (first ? 0 : errors[j - 1]!) + err;
    ok[j] = total[j]! - errors[j]!;
    sum[j] = roundMicro((first ? 0 : sum[j - 1]!) + req * median * MEAN_OVER_MEDIAN);
    const logMedian = Math.log(median);
    for (let b = 0; b < buckets.length; b++) {
      const col = buckets[b]!;
      // Same dither u for every bucket keeps the cumulative buckets ordered by le.
      col[j] = (first ? 0 : col[j - 1]!) + Math.floor(req * fractionUnderLog(LOG_BUCKETS[b]!, logMedian) + u);
    }
  }
}

function emitQuota(
  sink: SeriesSink,
  namespace: string,
  hard: { cpuCores: number; memoryBytes: number },
  pods: readonly PodPlan[],
  times: Float64Array,
): void {
  const n = times.length;
  // ResourceQuota "used" is the sum of requests of the namespace's live pods.
  sink.constant(M.quota, { namespace, resource: 'requests.cpu', type: 'hard' }, hard.cpuCores, 0, n);
  sink.copy(M.quota, { namespace, resource: 'requests.cpu', type: 'used' }, times, 0, n, (t) => sumRequests(pods, t, 'cpu'));
  sink.constant(M.quota, { namespace, resource: 'requests.memory', type: 'hard' }, hard.memoryBytes, 0, n);
  sink.copy(M.quota, { namespace, resource: 'requests.memory', type: 'used' }, times, 0, n, (t) => sumRequests(pods, t, 'memory'));
}

function sumRequests(pods: readonly PodPlan[], t: number, resource: 'cpu' | 'memory'): number {
  let total = 0;
  for (const p of pods) {
    if (p.createdMs <= t && t < p.deletedMs) total += resource === 'cpu' ? p.workload.cpuRequestCores : p.workload.memoryRequestBytes;
  }
  // Rounded like the API server reports quantities (millicores, bytes), and free of float drift.
  return resource === 'cpu' ? Math.round(total * 1000) / 1000 : Math.round(total);
}

/** Generates every series of a workspace over the window. Pure and deterministic in (scenario, window). */
export function generateSeries(scenario: WorkspaceScenario, window: TimeWindow): RawSeries[] {
  const times = sampleTimes(window);
  for (const inc of scenario.incidents) {
    // A typo in an eval case would otherwise generate a healthy workspace labelled as an incident.
    const ns = scenario.namespaces.find((n) => n.name === inc.namespace);
    if (!ns?.workloads.some((w) => w.name === inc.workload)) {
      throw new RangeError(
        `${scenario.workspaceId}: incident ${inc.kind} targets ${inc.namespace}/${inc.workload}, which is not in the scenario`,
      );
    }
  }
  const incidents: ActiveIncident[] = resolveIncidents(scenario, window);
  const sink = new SeriesSink(times, { workspace_id: scenario.workspaceId });
  const buffers = createSignalBuffers(times.length);
  for (const ns of scenario.namespaces) {
    const workloads = ns.workloads.map((w) => effectiveWorkload(ns.name, w, incidents));
    const quota = planQuota(ns, workloads, incidents);
    const nsPods: PodPlan[] = [];
    for (const w of workloads) {
      const pods = planWorkloadPods({
        seed: scenario.seed,
        workspaceId: scenario.workspaceId,
        namespace: ns.name,
        workload: w,
        window,
        freezeMs: deployFreezeMs(ns.name, w.name, incidents),
        scriptedDeploys: scriptedDeploys(ns.name, w.name, incidents),
        scaleUpAtMs: quota?.scaleUps.get(w.name) ?? [],
      });
      for (const pod of pods) emitContainer(sink, podSignals(pod, times, incidents, buffers), times);
      nsPods.push(...pods);
      if (w.pvc) {
        const pvc = w.pvc;
        const filling = incidents.find((inc) => inc.kind === 'pvc_filling' && inc.namespace === ns.name && inc.workload === w.name);
        const key = keyOf(scenario.seed, `${scenario.workspaceId}/${ns.name}/pvc/${pvc.name}`);
        const labels = { namespace: ns.name, persistentvolumeclaim: pvc.name };
        sink.copy(M.pvcUsed, labels, times, 0, times.length, (t) => Math.round(pvcUsedBytes(pvc, filling, key, t)));
        sink.constant(M.pvcCapacity, labels, pvc.capacityBytes, 0, times.length);
      }
    }
    if (quota) emitQuota(sink, ns.name, quota.hard, nsPods, times);
  }
  return sink.out;
}
