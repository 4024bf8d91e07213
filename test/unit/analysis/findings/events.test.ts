/**
 * The Kubernetes event analysers (k8sgpt-style): which Warning events name which cause, how they fold
 * per workload, and what the diagnosis makes of them next to metric symptoms of the same workload.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../../src/analysis/diagnose/index.js';
import { categorise, eventFindings, type K8sEventRecord } from '../../../../src/analysis/findings/events.js';
import { FindingSchema } from '../../../../src/analysis/types.js';
import { CONTEXT, at, finding, shop } from '../diagnose/fixtures.js';

function ev(o: Partial<K8sEventRecord>): K8sEventRecord {
  return {
    namespace: 'shop',
    kind: 'Pod',
    name: 'api-7d9f8b6c5d-x2x7q',
    reason: 'BackOff',
    type: 'Warning',
    message: 'Back-off restarting failed container api in pod api-7d9f8b6c5d-x2x7q',
    count: 3,
    first_seen: at(-30),
    last_seen: at(-5),
    ...o,
  };
}

describe('categorise: reason and message → cause (real kubelet/scheduler texts)', () => {
  it.each([
    [
      'ErrImagePull',
      'Failed to pull image "ghcr.io/acme/api:v2.1-typo": rpc error: code = NotFound desc = manifest unknown',
      'image_pull',
      'image_not_found',
    ],
    [
      'Failed',
      'Failed to pull image "registry.corp/api:1.2": pull access denied, repository does not exist or may require authorization: unauthorized',
      'image_pull',
      'image_not_found',
    ],
    ['ImagePullBackOff', 'Back-off pulling image "registry.corp/api:1.2"', 'image_pull', 'pull_failed'],
    ['Failed', 'Error: ErrImagePull', 'image_pull', 'pull_failed'],
    ['BackOff', 'Back-off pulling image "ghcr.io/acme/api:v2"', 'image_pull', 'pull_failed'],
    ['Failed', 'Error: secret "db-credentials" not found', 'config_error', 'secret_missing'],
    ['Failed', 'Error: configmap "api-config" not found', 'config_error', 'configmap_missing'],
    ['BackOff', 'Back-off restarting failed container api in pod api-1', 'crash_loop', 'restarting'],
    [
      'FailedScheduling',
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available',
      'scheduling',
      'insufficient_cpu',
    ],
    [
      'FailedScheduling',
      '0/3 nodes are available: 1 Insufficient memory, 2 node(s) had untolerated taint {dedicated: gpu}',
      'scheduling',
      'insufficient_memory',
    ],
    [
      'FailedScheduling',
      '0/2 nodes are available: 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }',
      'scheduling',
      'taint',
    ],
    ['FailedScheduling', "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector", 'scheduling', 'affinity'],
    [
      'FailedCreate',
      'Error creating: pods "api-7d9-abcde" is forbidden: exceeded quota: compute, requested: cpu=500m, used: cpu=3800m, limited: cpu=4',
      'quota',
      'exceeded_quota',
    ],
    ['Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 'probe', 'readiness'],
    ['Unhealthy', 'Liveness probe failed: Get "http://10.1.2.3:8080/healthz": context deadline exceeded', 'probe', 'liveness'],
    ['OOMKilling', 'Memory cgroup out of memory: Killed process 4242 (java)', 'oom', 'oom_killed'],
    ['FailedMount', 'MountVolume.SetUp failed for volume "certs" : secret "tls" not found', 'config_error', 'secret_missing'],
    [
      'FailedMount',
      'Unable to attach or mount volumes: unmounted volumes=[data], timed out waiting for the condition',
      'mount',
      'failedmount',
    ],
    ['Evicted', 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi.', 'evicted', 'low_memory'],
  ])('%s: %s', (reason, message, category, detail) => {
    expect(categorise(reason, message)).toEqual({ category, detail });
  });

  it('names no cause for routine or unknown reasons', () => {
    for (const [reason, message] of [
      ['Scheduled', 'Successfully assigned shop/api-1 to node-1'],
      ['Pulled', 'Successfully pulled image "ghcr.io/acme/api:v2"'],
      ['Killing', 'Stopping container api'],
      ['ScalingReplicaSet', 'Scaled up replica set api-7d9f8b6c5d to 3'],
      ['SomethingNew', 'an event we have never seen'],
    ])
      expect(categorise(reason!, message!)).toBeUndefined();
  });
});

describe('eventFindings', () => {
  it('folds the pods, ReplicaSet and Deployment of one workload into one finding per cause, citing the newest rows', () => {
    const found = eventFindings([
      ev({ reason: 'ErrImagePull', message: 'Failed to pull image "api:v9": manifest unknown', count: 4, last_seen: at(-3) }),
      ev({
        name: 'api-7d9f8b6c5d-aaaaa',
        reason: 'ImagePullBackOff',
        message: 'Back-off pulling image "api:v9"',
        count: 20,
        first_seen: at(-40),
        last_seen: at(-1),
      }),
      ev({
        kind: 'ReplicaSet',
        name: 'api-7d9f8b6c5d',
        reason: 'FailedCreate',
        message: 'Error creating: exceeded quota: compute',
        count: 2,
      }),
      ev({ kind: 'Pod', name: 'web-5c6d7e8f9a-bbbbb', reason: 'Unhealthy', message: 'Readiness probe failed: connection refused' }),
      ev({ type: 'Normal', reason: 'Pulled', message: 'Successfully pulled image' }),
    ]);
    expect(found.map((f) => f.id)).toEqual(['k8s_event:image_pull:shop/api', 'k8s_event:quota:shop/api', 'k8s_event:probe:shop/web']);
    for (const f of found) expect(FindingSchema.safeParse(f).success).toBe(true);
    const image = found[0]!;
    expect(image).toMatchObject({
      kind: 'k8s_event',
      severity: 'critical',
      resource: { namespace: 'shop', workload: 'api' },
      started_at: at(-40),
      details: { source: 'k8s_events', category: 'image_pull', detail: 'image_not_found', reason: 'ImagePullBackOff', occurrences: 24 },
    });
    expect(image.resource.pod).toBeUndefined(); // two pods: the finding is about the workload
    expect(image.evidence[0]).toEqual({
      series: 'k8s_events{namespace="shop",kind="Pod",name="api-7d9f8b6c5d-aaaaa",reason="ImagePullBackOff"}',
      time: at(-1),
      value: 20,
      why: 'Warning ImagePullBackOff on Pod/api-7d9f8b6c5d-aaaaa ×20: Back-off pulling image "api:v9"',
    });
    expect(found[1]!.details.workload_kind).toBe('deployment');
  });

  it('raises a repeating warning-level cause to critical, and cuts and cleans untrusted messages', () => {
    const [few] = eventFindings([ev({ count: 3 })]);
    const [many] = eventFindings([ev({ count: 12 })]);
    expect(few!.severity).toBe('warning');
    expect(many!.severity).toBe('critical');
    const [long] = eventFindings([ev({ message: `Back-off restarting failed container\u0000\n${'x'.repeat(1000)}` })]);
    expect(long!.evidence[0]!.why.length).toBeLessThanOrEqual(300);
    // eslint-disable-next-line no-control-regex
    expect(long!.evidence[0]!.why).not.toMatch(/[\u0000\n]/);
  });
});

describe('diagnosis with event findings', () => {
  it('a crash loop whose events say the image cannot be pulled is a bad image, and the restarts are explained by it', () => {
    const events = eventFindings([ev({ reason: 'ErrImagePull', message: 'Failed to pull image "api:v9": not found', count: 6 })]);
    const restarts = finding('restarts', shop('api', { pod: 'api-7d9f8b6c5d-x2x7q' }), {
      severity: 'critical',
      details: { reason: 'Error' },
    });
    const memory = finding('memory_growth', shop('api'), { severity: 'warning', score: 0.6 });
    const { diagnosis, rules } = diagnose([restarts, memory, ...events], CONTEXT);
    expect(rules[0]).toBe('k8s_event_image_pull');
    const top = diagnosis.hypotheses[0]!;
    expect(top.cause).toBe('bad image for shop/api: api:v9 cannot be pulled (tag or name does not exist)');
    expect(top.finding_ids).toEqual(expect.arrayContaining([events[0]!.id, restarts.id]));
    expect(top.evidence.some((e) => e.series.startsWith('k8s_events{'))).toBe(true);
    expect(diagnosis.hypotheses.some((h) => h.cause.startsWith('crash loop'))).toBe(false);
    expect(diagnosis.recommended_actions[0]).toMatch(/image name and tag of shop\/api/);
  });

  it('FailedScheduling for lack of CPU explains pods not ready; events alone (metrics silent) still make a hypothesis', () => {
    const sched = eventFindings([
      ev({ name: 'worker-6b7c8d9e0f-ccccc', reason: 'FailedScheduling', message: '0/3 nodes are available: 3 Insufficient cpu.' }),
    ]);
    const notReady = finding('not_ready', shop('worker'), { severity: 'warning' });
    const withMetrics = diagnose([notReady, ...sched], CONTEXT);
    expect(withMetrics.diagnosis.hypotheses[0]!.cause).toBe('pods of shop/worker cannot be scheduled: insufficient cpu');
    expect(withMetrics.diagnosis.hypotheses[0]!.finding_ids).toContain(notReady.id);
    const alone = diagnose(sched, CONTEXT);
    expect(alone.diagnosis.hypotheses.map((h) => h.cause)).toEqual(['pods of shop/worker cannot be scheduled: insufficient cpu']);
  });

  it('plain BackOff events join the metric crash-loop hypothesis instead of replacing it', () => {
    const backOff = eventFindings([ev({})]);
    const restarts = finding('restarts', shop('api'), { severity: 'critical', details: { last_terminated_reason: 'OOMKilled' } });
    const { diagnosis, rules } = diagnose([restarts, ...backOff], CONTEXT);
    expect(rules).toEqual(['crash_loop']);
    expect(diagnosis.hypotheses[0]!.cause).toBe('crash loop in shop/api (last termination: OOMKilled)');
    expect(diagnosis.hypotheses[0]!.finding_ids).toEqual([restarts.id, backOff[0]!.id]);
  });
});

describe('log errors after a rollout', () => {
  it('a new error template of a workload starting shortly after its rollout is the bad release, not a stand-alone log finding', async () => {
    const { logPatternFindings } = await import('../../../../src/analysis/findings/log-patterns.js');
    const deploy = finding('deploy', shop('api'), { severity: 'info', minute: 0 });
    const [logs] = logPatternFindings([
      {
        template: 'NullPointerException in CheckoutHandler.handle',
        count: 40,
        previous_count: 0,
        new: true,
        surge_ratio: null,
        first_seen: at(4),
        last_seen: at(30),
        max_severity: 'ERROR',
        workloads: ['shop/api'],
        example: 'NullPointerException in CheckoutHandler.handle (line 88)',
      },
    ]);
    expect(logs).toMatchObject({ kind: 'log_pattern', details: { category: 'errors', lines: 40 } });
    const { diagnosis, rules } = diagnose([deploy, logs!], CONTEXT);
    expect(rules).toEqual(['bad_release']);
    expect(diagnosis.hypotheses[0]!.cause).toMatch(/^bad release of shop\/api \(rollout at .* followed by log_pattern\)$/);
    // Without the rollout the new errors stand alone.
    expect(diagnose([logs!], CONTEXT).rules).toEqual(['log_errors']);
  });
});
