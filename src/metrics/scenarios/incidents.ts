/**
 * Incident effects. Each incident is resolved to an absolute start (window end − startsBeforeEndMs) and
 * then acts in one of two ways: structurally (a scripted rollout, a scale-up, inflated requests, all
 * decided before pods are planned) or per sample (a closed-form function of absolute time applied on top
 * of the healthy pod). Closed forms, not simulated state, keep sub-windows consistent.
 */
import { hashAt, unit, whiteNoise } from './prng.js';
import { REASON_ERROR, REASON_OOM, type Sample } from './signals.js';
import type { PodPlan } from './timeline.js';
import type { IncidentKind, NamespaceSpec, TimeWindow, WorkloadSpec, WorkspaceScenario } from './types.js';

export interface ActiveIncident {
  kind: IncidentKind;
  namespace: string;
  workload: string;
  startMs: number;
  /** The window end the incident was scripted against (PVC forecasts aim just past it). */
  windowEndMs: number;
  spanMs: number;
}

export function resolveIncidents(scenario: WorkspaceScenario, window: TimeWindow): ActiveIncident[] {
  return scenario.incidents.map((spec) => ({
    kind: spec.kind,
    namespace: spec.namespace,
    workload: spec.workload,
    startMs: window.endMs - Math.max(0, spec.startsBeforeEndMs),
    windowEndMs: window.endMs,
    spanMs: Math.max(0, spec.startsBeforeEndMs),
  }));
}

function targets(inc: ActiveIncident, namespace: string, workload: string): boolean {
  return inc.namespace === namespace && inc.workload === workload;
}

/** CPU ceiling used when an incident pins CPU on a workload without a limit: what its node would give. */
function cpuCeiling(w: WorkloadSpec): number {
  return w.cpuLimitCores ?? Math.max(2 * w.cpuRequestCores, 4 * w.baseCpuCores);
}

/** over_provisioned: requests inflated to well over 4× peak usage (peak ≈ 1.5× the mean), all along. */
export function effectiveWorkload(namespace: string, w: WorkloadSpec, incidents: readonly ActiveIncident[]): WorkloadSpec {
  if (!incidents.some((inc) => inc.kind === 'over_provisioned' && targets(inc, namespace, w.name))) return w;
  const cpuRequestCores = Math.max(w.cpuRequestCores, 8 * w.baseCpuCores);
  const memoryRequestBytes = Math.max(w.memoryRequestBytes, 6 * w.baseMemoryBytes);
  return {
    ...w,
    cpuRequestCores,
    memoryRequestBytes,
    ...(w.cpuLimitCores !== undefined ? { cpuLimitCores: Math.max(w.cpuLimitCores, cpuRequestCores) } : {}),
    ...(w.memoryLimitBytes !== undefined ? { memoryLimitBytes: Math.max(w.memoryLimitBytes, memoryRequestBytes) } : {}),
  };
}

/** Benign rollouts stop once an incident touches the workload, or any quota incident its namespace. */
export function deployFreezeMs(namespace: string, workload: string, incidents: readonly ActiveIncident[]): number {
  let freeze = Number.POSITIVE_INFINITY;
  for (const inc of incidents) {
    const hit = targets(inc, namespace, workload) || (inc.kind === 'quota_exhaustion' && inc.namespace === namespace);
    if (hit && inc.kind !== 'over_provisioned') freeze = Math.min(freeze, inc.startMs);
  }
  return freeze;
}

export function scriptedDeploys(
  namespace: string,
  workload: string,
  incidents: readonly ActiveIncident[],
): { atMs: number; kind: 'crash' | 'regressed' }[] {
  const out: { atMs: number; kind: 'crash' | 'regressed' }[] = [];
  for (const inc of incidents) {
    if (!targets(inc, namespace, workload)) continue;
    if (inc.kind === 'crash_loop_after_deploy') out.push({ atMs: inc.startMs, kind: 'crash' });
    if (inc.kind === 'latency_regression') out.push({ atMs: inc.startMs, kind: 'regressed' });
  }
  return out;
}

export interface QuotaPlan {
  hard: { cpuCores: number; memoryBytes: number };
  /** Creation instants of the replicas a scale-up adds to `workload`. */
  scaleUps: Map<string, number[]>;
}

const MAX_SCALE_UP_PODS = 8;

/**
 * quota_exhaustion: the target scales out (an HPA reacting to load) one replica at a time until the
 * namespace quota cannot take another pod. With a declared quota, as many replicas as fit (at most 8); with
 * none, the namespace gets a quota sized so that the scaled-out requests use 97 % of it.
 */
export function planQuota(
  ns: NamespaceSpec,
  workloads: readonly WorkloadSpec[],
  incidents: readonly ActiveIncident[],
): QuotaPlan | undefined {
  const scaleUps = new Map<string, number[]>();
  let cpu = 0;
  let mem = 0;
  for (const w of workloads) {
    cpu += w.replicas * w.cpuRequestCores;
    mem += w.replicas * w.memoryRequestBytes;
  }
  let hard = ns.quota ? { ...ns.quota } : undefined;
  for (const inc of incidents) {
    if (inc.kind !== 'quota_exhaustion' || inc.namespace !== ns.name) continue;
    const target = workloads.find((w) => w.name === inc.workload);
    if (!target) continue;
    let count: number;
    if (hard) {
      const byCpu = Math.floor((hard.cpuCores - cpu) / Math.max(target.cpuRequestCores, 1e-9) + 1e-9);
      const byMem = Math.floor((hard.memoryBytes - mem) / Math.max(target.memoryRequestBytes, 1) + 1e-9);
      count = Math.max(0, Math.min(byCpu, byMem, MAX_SCALE_UP_PODS));
    } else {
      count = Math.max(2, target.replicas);
      hard = {
        cpuCores: Math.ceil(((cpu + count * target.cpuRequestCores) / 0.97) * 100) / 100,
        memoryBytes: Math.ceil((mem + count * target.memoryRequestBytes) / 0.75 / 1_048_576) * 1_048_576,
      };
    }
    cpu += count * target.cpuRequestCores;
    mem += count * target.memoryRequestBytes;
    const spacing = Math.min(480_000, Math.max(30_000, inc.spanMs / (count + 2)));
    const list = scaleUps.get(target.name) ?? [];
    for (let k = 0; k < count; k++) list.push(inc.startMs + (k + 1) * spacing);
    scaleUps.set(target.name, list);
  }
  return hard ? { hard, scaleUps } : undefined;
}

/** Memory-leak cycle length: about three OOM kills over the incident, between 20 min and 3 h, ±10 % per pod. */
export function leakPeriodMs(inc: ActiveIncident, podKey: number): number {
  const base = Math.min(3 * 3_600_000, Math.max(20 * 60_000, inc.spanMs / 3.2));
  return base * (0.9 + 0.2 * unit(hashAt(podKey, 0x1eaf)));
}

/**
 * CrashLoopBackOff: the container starts, fails after a few seconds (exit 1 → reason Error), and the
 * kubelet waits 10 s, 20 s, 40 s … capped at 5 min before the next start. Returns restarts so far.
 */
export function crashLoopRestarts(createdMs: number, t: number): number {
  const startupMs = 8_000;
  const runMs = 6_000;
  let at = createdMs + startupMs + runMs; // first crash
  let restarts = 0;
  for (let backoff = 10_000; backoff < 300_000; backoff *= 2) {
    at += backoff; // restart
    if (at > t) return restarts;
    restarts++;
    at += runMs;
  }
  // Backoff is capped now: one restart every 5 min + run time, the first 5 min after the last crash.
  const cycle = 300_000 + runMs;
  const next = at + 300_000;
  return t < next ? restarts : restarts + Math.floor((t - next) / cycle) + 1;
}

/** Fades an effect in over `rampMs` after the start instead of a physically impossible step. */
function ramp(inc: ActiveIncident, t: number, rampMs: number): number {
  return Math.min(1, Math.max(0, (t - inc.startMs) / rampMs));
}

export function applyIncident(inc: ActiveIncident, pod: PodPlan, t: number, s: Sample): void {
  const w = pod.workload;
  const isTarget = inc.workload === w.name;
  if (t < inc.startMs) return;
  switch (inc.kind) {
    case 'memory_leak': {
      if (!isTarget) return;
      const from = Math.max(inc.startMs, pod.createdMs);
      const period = leakPeriodMs(inc, pod.key);
      const elapsed = t - from;
      const kills = Math.floor(elapsed / period);
      const phase = (elapsed - kills * period) / period;
      const limit = w.memoryLimitBytes ?? 2 * w.memoryRequestBytes;
      // Working set climbs linearly to the limit; the kernel kills it there and it starts over.
      s.memoryBytes = Math.min(limit * 0.999, s.memoryBytes + (limit - s.memoryBytes) * phase);
      s.cpuCores *= 1 + 0.6 * Math.pow(phase, 4); // garbage collector thrashing near the limit
      s.latencySeconds *= 1 + 1.5 * Math.pow(phase, 6);
      if (kills > 0) {
        s.ooms += kills;
        s.restarts += kills;
        s.reason = REASON_OOM;
        if (elapsed - kills * period < 20_000) s.ready = false;
      }
      return;
    }
    case 'cpu_saturation': {
      if (!isTarget) return;
      const k = ramp(inc, t, 180_000);
      const pinned = cpuCeiling(w) * (0.975 + 0.02 * unit(hashAt(pod.key ^ 0xc9, t)));
      s.cpuCores += (pinned - s.cpuCores) * k;
      s.rps *= 1 + 0.6 * k; // the load surge that caused it
      s.latencySeconds *= 1 + 2.2 * k;
      s.errorRatio += 0.01 * k;
      return;
    }
    case 'crash_loop_after_deploy': {
      if (!isTarget || pod.revision.scripted !== 'crash') return;
      const restarts = crashLoopRestarts(pod.createdMs, t);
      s.restarts += restarts;
      if (restarts > 0) s.reason = REASON_ERROR;
      s.ready = false;
      s.cpuCores = 0.15 * w.baseCpuCores;
      s.memoryBytes *= 0.3;
      s.rxBytesPerSecond *= 0.02;
      s.txBytesPerSecond *= 0.02;
      return;
    }
    case 'latency_regression': {
      if (!isTarget || pod.revision.scripted !== 'regressed') return;
      s.latencySeconds *= 4;
      s.errorRatio = 0.08 + 0.04 * unit(hashAt(pod.key ^ 0x5e, t));
      s.cpuCores *= 1.3;
      return;
    }
    case 'noisy_neighbour': {
      const k = ramp(inc, t, 120_000);
      if (isTarget) {
        const spike = w.cpuLimitCores ?? Math.max(14 * w.baseCpuCores, 6 * w.cpuRequestCores);
        s.cpuCores += (spike * (0.97 + 0.01 * whiteNoise(pod.key ^ 0x77, t)) - s.cpuCores) * k;
      } else {
        // Starved of CPU on the shared node: throttled periods, slower requests, a little less work done.
        s.extraThrottle += (0.45 + 0.05 * whiteNoise(pod.key ^ 0x78, t)) * k;
        s.latencySeconds *= 1 + 1.3 * k;
        s.cpuCores *= 1 - 0.1 * k;
      }
      return;
    }
    case 'egress_spike': {
      if (!isTarget) return;
      s.txBytesPerSecond *= 1 + (29 + 4 * whiteNoise(pod.key ^ 0xe9, t)) * ramp(inc, t, 60_000);
      return;
    }
    case 'mining_pattern': {
      if (!isTarget) return;
      // Flat at the ceiling day and night (no daily cycle), a steady trickle to the pool, no crashes.
      s.cpuCores = cpuCeiling(w) * (0.985 + 0.003 * whiteNoise(pod.key ^ 0x31, t));
      s.txBytesPerSecond = s.txBytesPerSecond * 6 + 40_000;
      s.rxBytesPerSecond = s.rxBytesPerSecond * 3 + 20_000;
      s.memoryBytes += 32 * 1_048_576;
      return;
    }
    case 'pvc_filling':
    case 'quota_exhaustion':
    case 'over_provisioned':
      return; // volume- or plan-level, see pvcUsedBytes / planQuota / effectiveWorkload
  }
}

/** PVC used bytes: flat with a small wobble; when filling, a straight line that reaches capacity a few hours after the window. */
export function pvcUsedBytes(pvc: NonNullable<WorkloadSpec['pvc']>, filling: ActiveIncident | undefined, key: number, t: number): number {
  const wobble = (0.0008 * pvc.capacityBytes * whiteNoise(key, t)) / 3.5;
  let used = pvc.baseUsedBytes;
  if (filling && t >= filling.startMs) {
    const fullAfterEnd = Math.min(6 * 3_600_000, Math.max(3_600_000, filling.spanMs / 4));
    const fullAt = filling.windowEndMs + fullAfterEnd;
    used += ((pvc.capacityBytes - pvc.baseUsedBytes) * (t - filling.startMs)) / (fullAt - filling.startMs);
  }
  return Math.min(pvc.capacityBytes, Math.max(0, used + wobble));
}
