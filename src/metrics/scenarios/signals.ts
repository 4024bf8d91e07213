/**
 * The workload model: what one pod does at one instant when nothing is wrong (daily cycle, noise,
 * warm-up after start), then each incident's effect on top, then CFS throttling from the final CPU.
 * Produces per-pod arrays over the window that the series assembly turns into metrics.
 */
import { POD_PHASES } from './catalog.js';
import { applyIncident, type ActiveIncident } from './incidents.js';
import { seasonal, smoothNoise, whiteNoise } from './prng.js';
import type { PodPlan } from './timeline.js';

/** Reasons coded as small integers so they fit a Uint8Array (0 = never terminated). */
export const REASON_NONE = 0;
export const REASON_OOM = 1;
export const REASON_ERROR = 2;

export const PHASE_PENDING = POD_PHASES.indexOf('Pending');
export const PHASE_RUNNING = POD_PHASES.indexOf('Running');

/** One pod at one instant; incidents mutate it before it is stored. */
export interface Sample {
  cpuCores: number;
  memoryBytes: number;
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  rps: number;
  errorRatio: number;
  /** Median request latency (s); the histogram is log-normal around it. */
  latencySeconds: number;
  /** Cumulative since the pod was created (closed form, so window-independent). */
  restarts: number;
  ooms: number;
  reason: number;
  phase: number;
  ready: boolean;
  /** Throttled share added by contention from outside the container (noisy neighbour). */
  extraThrottle: number;
}

export interface PodSignals {
  pod: PodPlan;
  /** Sample index range of the window during which the pod exists: [i0, i1). */
  i0: number;
  i1: number;
  cpu: Float64Array;
  throttle: Float64Array;
  memory: Float64Array;
  rx: Float64Array;
  tx: Float64Array;
  rps: Float64Array;
  errorRatio: Float64Array;
  latency: Float64Array;
  restarts: Float64Array;
  ooms: Float64Array;
  reason: Uint8Array;
  phase: Uint8Array;
  ready: Uint8Array;
}

const PENDING_MS = 8_000;
const READY_AFTER_MS = 25_000;
const WARM_UP_MS = 600_000;

/** Noise channels: one independent stream per quantity of a pod. */
const CH = { cpu: 11, cpuSlow: 12, mem: 21, memSlow: 22, rps: 31, rpsSlow: 32, err: 41, lat: 51, rx: 61, tx: 62, thr: 71 } as const;

function baselineSample(pod: PodPlan, t: number, out: Sample): void {
  const w = pod.workload;
  const k = pod.key;
  const age = t - pod.createdMs;
  const s = seasonal(t);
  out.phase = age < PENDING_MS ? PHASE_PENDING : PHASE_RUNNING;
  out.ready = age >= READY_AFTER_MS;
  out.cpuCores = Math.max(
    0.1 * w.baseCpuCores,
    w.baseCpuCores * s * (1 + 0.08 * smoothNoise(k ^ CH.cpuSlow, t, 300_000) + 0.03 * whiteNoise(k ^ CH.cpu, t)),
  );
  // A fresh process holds less memory until caches fill; working set follows load only mildly.
  const warm = 0.65 + 0.35 * (1 - Math.exp(-Math.max(0, age) / WARM_UP_MS));
  out.memoryBytes =
    w.baseMemoryBytes *
    warm *
    (1 + 0.12 * (s - 1)) *
    (1 + 0.02 * smoothNoise(k ^ CH.memSlow, t, 900_000) + 0.004 * whiteNoise(k ^ CH.mem, t));
  if (w.http && out.ready) {
    out.rps = Math.max(0, w.http.baseRps * s * (1 + 0.06 * smoothNoise(k ^ CH.rpsSlow, t, 600_000) + 0.03 * whiteNoise(k ^ CH.rps, t)));
    out.errorRatio = Math.max(0, 0.002 * (1 + 0.3 * whiteNoise(k ^ CH.err, t)));
    out.latencySeconds = w.http.baseLatencySeconds * (1 + 0.25 * (s - 1)) * (1 + 0.05 * smoothNoise(k ^ CH.lat, t, 600_000));
    out.rxBytesPerSecond = out.rps * 1_800;
    out.txBytesPerSecond = out.rps * 7_000;
  } else {
    out.rps = 0;
    out.errorRatio = 0;
    out.latencySeconds = w.http?.baseLatencySeconds ?? 0;
    out.rxBytesPerSecond = 6_000 * s;
    out.txBytesPerSecond = 3_000 * s;
  }
  out.rxBytesPerSecond *= 1 + 0.05 * whiteNoise(k ^ CH.rx, t);
  out.txBytesPerSecond *= 1 + 0.05 * whiteNoise(k ^ CH.tx, t);
  out.restarts = 0;
  out.ooms = 0;
  out.reason = REASON_NONE;
  out.extraThrottle = 0;
}

/**
 * Share of CFS periods throttled for a CPU utilisation of the limit: none under 60 %, then rising steeply
 * (the usage average hides sub-second bursts that hit the quota), about 0.75 when pinned at the limit.
 */
export function throttledShare(utilisation: number): number {
  if (utilisation <= 0.6) return 0;
  return Math.min(0.95, 0.85 * Math.pow(Math.min(1, (utilisation - 0.6) / 0.4), 1.5));
}

/** Sample index range [i0, i1) of `times` covering [from, to). */
function indexRange(times: Float64Array, from: number, to: number): [number, number] {
  let i0 = 0;
  while (i0 < times.length && times[i0]! < from) i0++;
  let i1 = i0;
  while (i1 < times.length && times[i1]! < to) i1++;
  return [i0, i1];
}

/** Per-sample arrays for one pod at a time, allocated once per window and reused pod after pod. */
export function createSignalBuffers(n: number): Omit<PodSignals, 'pod' | 'i0' | 'i1'> {
  return {
    cpu: new Float64Array(n),
    throttle: new Float64Array(n),
    memory: new Float64Array(n),
    rx: new Float64Array(n),
    tx: new Float64Array(n),
    rps: new Float64Array(n),
    errorRatio: new Float64Array(n),
    latency: new Float64Array(n),
    restarts: new Float64Array(n),
    ooms: new Float64Array(n),
    reason: new Uint8Array(n),
    phase: new Uint8Array(n),
    ready: new Uint8Array(n),
  };
}

/**
 * Runs the model for one pod over the window's sample times, filling `buffers` in the pod's index range
 * [i0, i1) (the rest is stale from earlier pods and must not be read).
 */
export function podSignals(
  pod: PodPlan,
  times: Float64Array,
  incidents: readonly ActiveIncident[],
  buffers: Omit<PodSignals, 'pod' | 'i0' | 'i1'>,
): PodSignals {
  const [i0, i1] = indexRange(times, pod.createdMs, pod.deletedMs);
  const sig: PodSignals = { pod, i0, i1, ...buffers };
  const relevant = incidents.filter((inc) => inc.namespace === pod.namespace);
  const w = pod.workload;
  const s: Sample = {
    cpuCores: 0,
    memoryBytes: 0,
    rxBytesPerSecond: 0,
    txBytesPerSecond: 0,
    rps: 0,
    errorRatio: 0,
    latencySeconds: 0,
    restarts: 0,
    ooms: 0,
    reason: REASON_NONE,
    phase: PHASE_PENDING,
    ready: false,
    extraThrottle: 0,
  };
  for (let i = i0; i < i1; i++) {
    const t = times[i]!;
    baselineSample(pod, t, s);
    for (const inc of relevant) applyIncident(inc, pod, t, s);
    // A CPU limit is a hard cap (CFS quota); memory cannot exceed its limit either (the kernel OOM-kills).
    if (w.cpuLimitCores !== undefined) s.cpuCores = Math.min(s.cpuCores, w.cpuLimitCores);
    if (w.memoryLimitBytes !== undefined) s.memoryBytes = Math.min(s.memoryBytes, w.memoryLimitBytes * 0.999);
    if (!s.ready) s.rps = 0;
    sig.cpu[i] = s.cpuCores;
    const burst = 0.004 * Math.max(0, whiteNoise(pod.key ^ CH.thr, t));
    sig.throttle[i] =
      w.cpuLimitCores === undefined ? 0 : Math.min(0.95, throttledShare(s.cpuCores / w.cpuLimitCores) + s.extraThrottle + burst);
    sig.memory[i] = s.memoryBytes;
    sig.rx[i] = Math.max(0, s.rxBytesPerSecond);
    sig.tx[i] = Math.max(0, s.txBytesPerSecond);
    sig.rps[i] = s.rps;
    sig.errorRatio[i] = Math.min(1, Math.max(0, s.errorRatio));
    sig.latency[i] = s.latencySeconds;
    sig.restarts[i] = s.restarts;
    sig.ooms[i] = s.ooms;
    sig.reason[i] = s.reason;
    sig.phase[i] = s.phase;
    sig.ready[i] = s.ready ? 1 : 0;
  }
  return sig;
}
