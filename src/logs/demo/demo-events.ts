/**
 * Kubernetes events for the demo workspaces (the embedded mode of `npm start`), laid out as the
 * platform's `k8s_events` rows: routine Normal events for every workload (the noise a real cluster
 * has) and, for each scripted incident, the Warning events a cluster would emit for it (a memory leak
 * restarts its container with BackOff; a CPU-starved service fails its readiness probe; quota
 * exhaustion refuses pods). `eventIncidents` are causes only events show — a bad image tag on a new
 * ReplicaSet while the old pods keep serving — so the demo has a case the metrics alone cannot explain.
 * Deterministic for a scenario and a clock.
 */
import { keyOf, nameFragment } from '../../metrics/scenarios/prng.js';
import type { EventIncidentSpec, WorkspaceScenario } from '../../metrics/scenarios/types.js';
import { dateTime64 } from './platform-ddl.js';

export interface K8sEventRow {
  timestamp: string;
  namespace: string;
  kind: string;
  name: string;
  reason: string;
  message: string;
  event_type: 'Normal' | 'Warning';
  source_component: string;
  source_host: string;
  count: number;
  workspace_id: string;
  labels: Record<string, string>;
}

const MIN = 60_000;
/** The event incidents that write Kubernetes events (the others write security events or logs). */
const K8S_EVENT_KINDS: ReadonlySet<EventIncidentSpec['kind']> = new Set([
  'bad_image',
  'failed_scheduling',
  'config_error',
  'probe_failure',
]);

function podName(seed: number, workload: string, generation: string, i: number): string {
  return `${workload}-${nameFragment(keyOf(seed, `${workload}/${generation}`), 10)}-${nameFragment(keyOf(seed, `${workload}/${generation}/${i}`), 5)}`;
}

export function demoEventRows(workspaces: readonly WorkspaceScenario[], nowMs: number): K8sEventRow[] {
  const rows: K8sEventRow[] = [];
  for (const ws of workspaces) {
    const row = (
      minutesAgo: number,
      namespace: string,
      kind: string,
      name: string,
      reason: string,
      message: string,
      o: Partial<K8sEventRow> = {},
    ) =>
      rows.push({
        timestamp: dateTime64(nowMs - minutesAgo * MIN),
        namespace,
        kind,
        name,
        reason,
        message,
        event_type: 'Normal',
        source_component: 'kubelet',
        source_host: `node-${(name.length % 3) + 1}`,
        count: 1,
        workspace_id: ws.workspaceId,
        labels: {},
        ...o,
      });
    // Routine noise: each workload's pods were scheduled, pulled and started a while ago.
    for (const ns of ws.namespaces) {
      for (const w of ns.workloads) {
        for (let i = 0; i < w.replicas; i++) {
          const pod = podName(ws.seed, w.name, 'stable', i);
          const at = 300 + ((ws.seed + i * 37 + w.name.length * 11) % 200);
          row(at, ns.name, 'Pod', pod, 'Scheduled', `Successfully assigned ${ns.name}/${pod} to node-${(i % 3) + 1}`, {
            source_component: 'default-scheduler',
          });
          row(at - 1, ns.name, 'Pod', pod, 'Pulled', `Container image "${w.image}" already present on machine`);
          row(at - 1, ns.name, 'Pod', pod, 'Started', `Started container ${w.name}`);
        }
      }
    }
    for (const inc of ws.incidents) {
      const since = Math.round(inc.startsBeforeEndMs / MIN);
      const pod = podName(ws.seed, inc.workload, 'stable', 0);
      const warn = { event_type: 'Warning' as const };
      if (inc.kind === 'memory_leak' || inc.kind === 'crash_loop_after_deploy') {
        const target = inc.kind === 'crash_loop_after_deploy' ? podName(ws.seed, inc.workload, 'new', 0) : pod;
        if (inc.kind === 'crash_loop_after_deploy')
          row(
            since,
            inc.namespace,
            'Deployment',
            inc.workload,
            'ScalingReplicaSet',
            `Scaled up replica set ${target.replace(/-[^-]+$/, '')} to 1`,
            {
              source_component: 'deployment-controller',
            },
          );
        row(
          Math.max(1, Math.round(since / 4)),
          inc.namespace,
          'Pod',
          target,
          'BackOff',
          `Back-off restarting failed container ${inc.workload} in pod ${target}`,
          {
            ...warn,
            count: Math.max(2, Math.round(since / 20)),
          },
        );
      } else if (inc.kind === 'cpu_saturation') {
        row(
          3,
          inc.namespace,
          'Pod',
          pod,
          'Unhealthy',
          'Readiness probe failed: Get "http://10.42.0.17:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
          {
            ...warn,
            count: Math.max(2, Math.round(since / 10)),
          },
        );
      } else if (inc.kind === 'quota_exhaustion') {
        const rs = podName(ws.seed, inc.workload, 'stable', 0).replace(/-[^-]+$/, '');
        row(
          2,
          inc.namespace,
          'ReplicaSet',
          rs,
          'FailedCreate',
          `Error creating: pods "${rs}-x7k2p" is forbidden: exceeded quota: ${inc.namespace}-quota, requested: cpu=500m, used: cpu=3800m, limited: cpu=4`,
          {
            ...warn,
            source_component: 'replicaset-controller',
            count: Math.max(2, Math.round(since / 15)),
          },
        );
      }
    }
    for (const inc of ws.eventIncidents ?? []) if (K8S_EVENT_KINDS.has(inc.kind)) eventIncidentRows(inc, ws.seed, row);
  }
  return rows;
}

type Row = (
  minutesAgo: number,
  namespace: string,
  kind: string,
  name: string,
  reason: string,
  message: string,
  o?: Partial<K8sEventRow>,
) => void;

/** The events of a cause only events show: a new ReplicaSet whose pods never start. */
function eventIncidentRows(inc: EventIncidentSpec, seed: number, row: Row): void {
  const since = Math.round(inc.startsBeforeEndMs / MIN);
  const pod = podName(seed, inc.workload, 'new', 0);
  const rs = pod.replace(/-[^-]+$/, '');
  const warn = { event_type: 'Warning' as const };
  const repeats = Math.max(2, Math.round(since / 3));
  row(since, inc.namespace, 'Deployment', inc.workload, 'ScalingReplicaSet', `Scaled up replica set ${rs} to 1`, {
    source_component: 'deployment-controller',
  });
  if (inc.kind === 'bad_image') {
    row(since - 1, inc.namespace, 'Pod', pod, 'Scheduled', `Successfully assigned ${inc.namespace}/${pod} to node-2`, {
      source_component: 'default-scheduler',
    });
    row(
      since - 1,
      inc.namespace,
      'Pod',
      pod,
      'Failed',
      `Failed to pull image "${inc.image}": rpc error: code = NotFound desc = failed to resolve reference "${inc.image}": manifest unknown`,
      {
        ...warn,
        count: Math.max(2, Math.round(since / 10)),
      },
    );
    row(1, inc.namespace, 'Pod', pod, 'BackOff', `Back-off pulling image "${inc.image}"`, { ...warn, count: repeats });
  } else if (inc.kind === 'probe_failure') {
    const stable = podName(seed, inc.workload, 'stable', 0);
    row(1, inc.namespace, 'Pod', stable, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', {
      ...warn,
      count: repeats,
    });
  } else if (inc.kind === 'failed_scheduling') {
    row(
      1,
      inc.namespace,
      'Pod',
      pod,
      'FailedScheduling',
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      {
        ...warn,
        source_component: 'default-scheduler',
        count: repeats,
      },
    );
  } else {
    row(1, inc.namespace, 'Pod', pod, 'Failed', `Error: secret "${inc.workload}-credentials" not found`, { ...warn, count: repeats });
  }
}
