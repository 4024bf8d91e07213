/**
 * Which pods exist when. A workload is a sequence of ReplicaSet revisions: occasional benign rollouts at
 * hash-chosen times (one per week, so the revision live at any instant is a pure function of time),
 * plus the rollouts incidents script. Each rollout replaces pods one by one (new pod up, old pod gone
 * 30 s later), so old pods' series end and new ones, with a new pod-template hash, begin.
 */
import { hashString, keyOf, mix, nameFragment, unit } from './prng.js';
import type { TimeWindow, WorkloadSpec } from './types.js';

export const BENIGN_DEPLOY_EPOCH_MS = 7 * 86_400_000;
/** Gap between successive new pods of a rollout, and how long an old pod outlives its replacement. */
const ROLLOUT_STAGGER_MS = 20_000;
const ROLLOUT_OVERLAP_MS = 30_000;
const NODES = 3;

export interface Revision {
  hash: string;
  deployMs: number;
  image: string;
  /** A scripted rollout: `crash` pods crash-loop (and the rollout stalls), `regressed` pods are slow. */
  scripted?: 'crash' | 'regressed';
}

export interface PodPlan {
  namespace: string;
  workload: WorkloadSpec;
  name: string;
  replicaSet: string;
  node: string;
  /** Root of this pod's randomness. */
  key: number;
  createdMs: number;
  /** Exclusive; Infinity while the pod lives past any window. */
  deletedMs: number;
  revision: Revision;
}

export interface WorkloadPlanInput {
  seed: number;
  workspaceId: string;
  namespace: string;
  workload: WorkloadSpec;
  window: TimeWindow;
  /** Benign rollouts at or after this instant are skipped (an incident is unfolding; nobody deploys). */
  freezeMs: number;
  /** Scripted rollouts at these instants. */
  scriptedDeploys: { atMs: number; kind: 'crash' | 'regressed' }[];
  /** Extra replicas added by a scale-up (quota exhaustion): creation instants, in the live revision. */
  scaleUpAtMs: number[];
}

/** Bumps the last numeric component of an image tag (`shop/cart:1.4.2` → `1.4.3`): a new release. */
export function bumpImageTag(image: string): string {
  const colon = image.lastIndexOf(':');
  if (colon < 0 || image.indexOf('/', colon) >= 0) return `${image}:next`;
  const parts = image.slice(colon + 1).split('.');
  const last = parts[parts.length - 1] ?? '';
  const n = Number(last);
  parts[parts.length - 1] = last !== '' && Number.isInteger(n) ? String(n + 1) : `${last}-next`;
  return `${image.slice(0, colon + 1)}${parts.join('.')}`;
}

function benignDeployMs(workloadKey: number, epoch: number): number {
  // People deploy in working hours: one of the week's days, between 07:00 and 17:00 UTC.
  const day = Math.floor(unit(mix(workloadKey, epoch)) * 7);
  const hour = 7 + unit(mix(workloadKey, epoch ^ 0x2f6b)) * 10;
  return epoch * BENIGN_DEPLOY_EPOCH_MS + day * 86_400_000 + Math.round(hour * 3_600_000);
}

/** The pods of one workload that exist at some instant of the window, in creation order. */
export function planWorkloadPods(input: WorkloadPlanInput): PodPlan[] {
  const { seed, workspaceId, namespace, workload, window } = input;
  const workloadId = `${workspaceId}/${namespace}/${workload.name}`;
  const workloadKey = keyOf(seed, workloadId);

  const earliest = Math.min(window.startMs, ...input.scriptedDeploys.map((d) => d.atMs));
  const revisions: Revision[] = [];
  const firstEpoch = Math.floor(earliest / BENIGN_DEPLOY_EPOCH_MS) - 1;
  const lastEpoch = Math.floor(window.endMs / BENIGN_DEPLOY_EPOCH_MS);
  for (let epoch = firstEpoch; epoch <= lastEpoch; epoch++) {
    const at = benignDeployMs(workloadKey, epoch);
    if (at < input.freezeMs) revisions.push({ hash: '', deployMs: at, image: workload.image });
  }
  for (const d of input.scriptedDeploys) {
    revisions.push({ hash: '', deployMs: d.atMs, image: bumpImageTag(workload.image), scripted: d.kind });
  }
  revisions.sort((a, b) => a.deployMs - b.deployMs);
  for (const r of revisions) r.hash = nameFragment(mix(workloadKey, hashString(`rev@${r.deployMs}`)), 10);

  const pods: PodPlan[] = [];
  const replicas = Math.max(1, Math.floor(workload.replicas));
  // A stalled rollout (new pods never get ready) leaves old pods running: Kubernetes' default
  // RollingUpdate takes down only maxUnavailable = floor(25 %) old pods and adds maxSurge = ceil(25 %).
  const unavailable = Math.floor(replicas / 4);
  const surge = Math.ceil(replicas / 4);

  revisions.forEach((rev, j) => {
    const next = revisions[j + 1];
    const count = rev.scripted === 'crash' ? surge + unavailable : replicas;
    const replicaSet = `${workload.name}-${rev.hash}`;
    const makePod = (index: number, createdMs: number, deletedMs: number): void => {
      if (createdMs > window.endMs || deletedMs <= window.startMs) return;
      const podKey = mix(workloadKey, hashString(`${rev.hash}#${index}`));
      const name = `${replicaSet}-${nameFragment(podKey, 5)}`;
      pods.push({
        namespace,
        workload,
        name,
        replicaSet,
        node: `node-${String(1 + (mix(podKey, 7) % NODES)).padStart(2, '0')}`,
        key: keyOf(seed, `${workspaceId}/${namespace}/${name}`),
        createdMs,
        deletedMs,
        revision: rev,
      });
    };
    const endOf = (index: number): number => {
      if (!next) return Number.POSITIVE_INFINITY;
      if (next.scripted === 'crash') return index < unavailable ? next.deployMs + 1_000 : Number.POSITIVE_INFINITY;
      return next.deployMs + index * ROLLOUT_STAGGER_MS + ROLLOUT_OVERLAP_MS;
    };
    for (let i = 0; i < count; i++) makePod(i, rev.deployMs + i * ROLLOUT_STAGGER_MS, endOf(i));
    // Scale-up pods join the revision live when they are created and never roll (deploys are frozen).
    input.scaleUpAtMs.forEach((at, k) => {
      if (at >= rev.deployMs && (!next || at < next.deployMs)) makePod(count + k, at, Number.POSITIVE_INFINITY);
    });
  });
  pods.sort((a, b) => a.createdMs - b.createdMs || (a.name < b.name ? -1 : 1));
  return pods;
}
