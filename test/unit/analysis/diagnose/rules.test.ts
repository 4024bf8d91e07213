import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../../src/analysis/diagnose/diagnose.js';
import { HUMAN, workloadFromPod } from '../../../../src/analysis/diagnose/common.js';
import { DiagnosisSchema, ProposedActionSchema, type Finding } from '../../../../src/analysis/types.js';
import { CONTEXT, finding, shop } from './fixtures.js';

function run(findings: Finding[]) {
  const r = diagnose(findings, CONTEXT);
  expect(() => DiagnosisSchema.parse(r.diagnosis)).not.toThrow();
  for (const a of r.proposedActions) expect(() => ProposedActionSchema.parse(a)).not.toThrow();
  return r;
}

describe('diagnosis rules', () => {
  it('memory leak: memory_growth + oom_kill on the same workload', () => {
    const fs = [
      finding('memory_growth', shop('cart')),
      finding('oom_kill', shop('cart', { pod: 'cart-7d9f8b6c5d-x2x7q' }), {
        severity: 'critical',
        details: { memory_limit_bytes: 512 * 1024 ** 2 },
      }),
    ];
    const r = run(fs);
    expect(r.rules[0]).toBe('memory_leak');
    const h = r.diagnosis.hypotheses[0]!;
    expect(h.cause).toBe('memory leak in shop/cart');
    expect(h.finding_ids.sort()).toEqual(fs.map((f) => f.id).sort());
    expect(h.confidence).toBeGreaterThan(0.6);
    expect(h.confidence).toBeLessThan(1);
    const restart = r.proposedActions.find((a) => a.action_type === 'restart_application');
    expect(restart).toMatchObject({ target_resource: 'deployment/cart', namespace: 'shop', risk: 'medium' });
    const adjust = r.proposedActions.find((a) => a.action_type === 'adjust_resources');
    expect(adjust?.reason.startsWith(HUMAN)).toBe(true);
    expect(adjust?.parameters['memory_limit']).toBe(Math.ceil(512 * 1024 ** 2 * 1.5));
    expect(adjust?.reason).toContain('memory leak in shop/cart');
  });

  it('memory leak groups a pod-only OOM finding with its workload by pod name', () => {
    const r = run([finding('memory_growth', shop('cart')), finding('oom_kill', { namespace: 'shop', pod: 'cart-7d9f8b6c5d-x2x7q' })]);
    expect(r.rules).toEqual(['memory_leak']);
  });

  it('memory growth alone is a possible leak with lower confidence; OOM alone is a too-low limit', () => {
    const growth = run([finding('memory_growth', shop('cart'))]);
    expect(growth.diagnosis.hypotheses[0]!.cause).toMatch(/^possible memory leak in shop\/cart/);
    expect(growth.diagnosis.hypotheses[0]!.confidence).toBeLessThanOrEqual(0.6);
    const oom = run([finding('oom_kill', shop('cart'))]);
    expect(oom.rules).toEqual(['oom_limit_too_low']);
    expect(oom.proposedActions.map((a) => a.action_type)).toEqual(['adjust_resources']);
  });

  it('CPU limit too low: throttling + latency on the same workload/service', () => {
    const fs = [
      finding('cpu_throttling', shop('api'), { details: { replicas: 3, cpu_limit_cores: 0.5 } }),
      finding('latency', { namespace: 'shop', service: 'api' }),
    ];
    const r = run(fs);
    expect(r.rules).toEqual(['cpu_limit_too_low']);
    expect(r.diagnosis.hypotheses[0]!.cause).toContain('CPU limit of shop/api too low');
    expect(r.proposedActions).toEqual([
      expect.objectContaining({
        action_type: 'adjust_resources',
        target_resource: 'deployment/api',
        parameters: { cpu_limit: 1, current_cpu_limit: 0.5 },
      }),
      expect.objectContaining({ action_type: 'scale', target_resource: 'deployment/api', parameters: { replicas: 4 }, risk: 'medium' }),
    ]);
  });

  it('throttling and latency in different namespaces do not pair', () => {
    const r = run([finding('cpu_throttling', shop('api')), finding('latency', { namespace: 'other', service: 'api' })]);
    expect(r.rules).not.toContain('cpu_limit_too_low');
  });

  it('CPU saturation without throttling-latency pairing → scale', () => {
    const r = run([finding('cpu_saturation', shop('worker'), { details: { replicas: 2 } })]);
    expect(r.rules).toEqual(['cpu_saturation']);
    expect(r.proposedActions).toEqual([
      expect.objectContaining({ action_type: 'scale', target_resource: 'deployment/worker', parameters: { replicas: 3 } }),
    ]);
  });

  it('bad release: symptoms shortly after a deploy; no deployment rollback action', () => {
    const fs = [
      finding('deploy', shop('cart'), { severity: 'info', minute: 0, details: { image: 'cart:1.4.2' } }),
      finding('restarts', shop('cart'), { minute: 4 }),
      finding('errors', { namespace: 'shop', service: 'cart' }, { minute: 6, severity: 'critical' }),
    ];
    const r = run(fs);
    expect(r.rules).toEqual(['bad_release']);
    expect(r.diagnosis.hypotheses[0]!.cause).toMatch(/^bad release of shop\/cart \(rollout of cart:1\.4\.2/);
    expect(r.proposedActions).toEqual([]);
    expect(r.diagnosis.recommended_actions[0]).toContain('kubectl rollout undo deployment/cart -n shop');
    expect(r.diagnosis.recommended_actions[0]).toContain('no deployment rollback');
  });

  it('bad release with memory symptoms proposes a restart as mitigation; functions get rollback_function', () => {
    const mem = run([finding('deploy', shop('cart'), { severity: 'info' }), finding('memory_growth', shop('cart'), { minute: 10 })]);
    expect(mem.proposedActions.map((a) => a.action_type)).toEqual(['restart_application']);
    const fn = run([
      finding('deploy', shop('thumbnailer'), { severity: 'info', details: { workload_kind: 'function', function_id: 'fn-42' } }),
      finding('errors', shop('thumbnailer'), { minute: 2 }),
    ]);
    expect(fn.proposedActions).toEqual([
      expect.objectContaining({
        action_type: 'rollback_function',
        target_resource: 'function/thumbnailer',
        parameters: { function_id: 'fn-42' },
      }),
    ]);
  });

  it('symptoms long after the deploy are not a bad release', () => {
    const r = run([finding('deploy', shop('cart'), { severity: 'info' }), finding('restarts', shop('cart'), { minute: 120 })]);
    expect(r.rules).toEqual(['crash_loop']);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('crash loop in shop/cart');
  });

  it('crash loop: no restart proposed; a single not-ready pod gets restart_pod', () => {
    const crash = run([finding('restarts', shop('cart'), { details: { reason: 'Error' } })]);
    expect(crash.diagnosis.hypotheses[0]!.cause).toBe('crash loop in shop/cart (last termination: Error)');
    expect(crash.proposedActions).toEqual([]);
    const stuck = run([finding('not_ready', shop('cart', { pod: 'cart-7d9f8b6c5d-x2x7q' }))]);
    expect(stuck.proposedActions).toEqual([
      expect.objectContaining({ action_type: 'restart_pod', target_resource: 'pod/cart-7d9f8b6c5d-x2x7q', risk: 'low' }),
    ]);
  });

  it('latency/error regression without deploy', () => {
    const r = run([
      finding('latency', { namespace: 'shop', service: 'checkout' }),
      finding('errors', { namespace: 'shop', service: 'checkout' }),
    ]);
    expect(r.rules).toEqual(['latency_error_regression']);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('latency and error-rate regression of shop/checkout');
    expect(r.diagnosis.hypotheses[0]!.finding_ids).toHaveLength(2);
  });

  it('PVC filling quotes the ETA the capacity analyser reports (eta_hours)', () => {
    const r = run([
      finding(
        'capacity',
        { namespace: 'db', persistentvolumeclaim: 'data-pg-0' },
        { details: { eta_hours: 50.2, status: 'will_exhaust' } },
      ),
    ]);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('PVC db/data-pg-0 filling up (full in ~2 days)');
  });

  it('PVC filling → expand_volume, human action', () => {
    const r = run([
      finding(
        'capacity',
        { namespace: 'db', persistentvolumeclaim: 'data-pg-0' },
        { details: { time_to_full_seconds: 7200, capacity_bytes: 10 * 1024 ** 3 } },
      ),
    ]);
    expect(r.rules).toEqual(['pvc_filling']);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('PVC db/data-pg-0 filling up (full in ~2 h)');
    expect(r.proposedActions).toEqual([
      expect.objectContaining({
        action_type: 'expand_volume',
        target_resource: 'persistentvolumeclaim/data-pg-0',
        namespace: 'db',
        parameters: { size: '20Gi', current_size_bytes: 10 * 1024 ** 3 },
      }),
    ]);
    expect(r.proposedActions[0]!.reason.startsWith(HUMAN)).toBe(true);
  });

  it('quota exhaustion → human advice, no action', () => {
    const r = run([finding('quota', { namespace: 'shop' }, { details: { quota_resource: 'requests.cpu' } })]);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('quota of namespace shop nearly exhausted (requests.cpu)');
    expect(r.proposedActions).toEqual([]);
    expect(r.diagnosis.recommended_actions[0]).toMatch(/Raise the ResourceQuota/);
  });

  it('noisy neighbour: one workload spikes, others in the namespace are throttled', () => {
    const fs = [
      finding('anomaly', shop('batch'), { series: 'cpu_usage{namespace="shop",pod="batch-0"}', minute: 0, severity: 'critical' }),
      finding('cpu_throttling', shop('api'), { minute: 3 }),
      finding('latency', { namespace: 'shop', service: 'web' }, { minute: 5 }),
    ];
    const r = run(fs);
    expect(r.rules).toEqual(['noisy_neighbour']);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('noisy neighbour: CPU spike of shop/batch degrading api, web in namespace shop');
    expect(r.proposedActions).toEqual([expect.objectContaining({ action_type: 'adjust_resources', target_resource: 'deployment/batch' })]);
  });

  it('noisy neighbour wins over CPU limit too low of the victim', () => {
    const r = run([
      finding('cpu_saturation', shop('batch'), { minute: 0 }),
      finding('cpu_throttling', shop('api'), { minute: 2 }),
      finding('latency', shop('api'), { minute: 2 }),
    ]);
    expect(r.rules).toEqual(['noisy_neighbour']);
  });

  it('egress spike → possible exfiltration, no automated action', () => {
    const r = run([finding('egress', shop('api'))]);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('egress spike from shop/api (possible data exfiltration)');
    expect(r.proposedActions).toEqual([]);
  });

  it('mining: security finding with pattern mining → scale to 0, high risk', () => {
    const r = run([
      finding('security', shop('legacy'), { severity: 'critical', details: { pattern: 'mining' } }),
      finding('egress', shop('legacy')),
    ]);
    expect(r.rules).toEqual(['mining_pattern']);
    expect(r.diagnosis.hypotheses[0]!.cause).toMatch(/^security incident: possible crypto-mining in shop\/legacy/);
    expect(r.proposedActions).toEqual([
      expect.objectContaining({
        action_type: 'scale',
        target_resource: 'deployment/legacy',
        parameters: { replicas: 0, override: true },
        risk: 'high',
      }),
    ]);
    expect(r.proposedActions[0]!.reason).toMatch(/requires approval/);
  });

  it('mining: cpu_saturation + egress on a normally idle workload; not when the workload is normally busy', () => {
    const idle = run([finding('cpu_saturation', shop('legacy'), { details: { normally_idle: true } }), finding('egress', shop('legacy'))]);
    expect(idle.rules).toEqual(['mining_pattern']);
    const busy = run([finding('cpu_saturation', shop('api')), finding('egress', shop('api'))]);
    expect(busy.rules).not.toContain('mining_pattern');
  });

  it('over-provisioned → adjust_resources, low risk, recommended values', () => {
    const r = run([
      finding('rightsizing', shop('api'), {
        details: { direction: 'over', recommended_cpu_request: 0.25, recommended_memory_request: '256Mi' },
      }),
    ]);
    expect(r.diagnosis.hypotheses[0]!.cause).toBe('shop/api over-provisioned (requests far from usage)');
    expect(r.proposedActions).toEqual([
      expect.objectContaining({ action_type: 'adjust_resources', risk: 'low', parameters: { cpu_request: 0.25, memory_request: '256Mi' } }),
    ]);
  });

  it('other security findings and unmatched kinds are still reported, with low confidence', () => {
    const r = run([finding('security', shop('api'), { details: { pattern: 'auth_failures' } }), finding('compliance', shop('web'))]);
    expect(r.rules.sort()).toEqual(['security_incident', 'unexplained']);
    for (const h of r.diagnosis.hypotheses) expect(h.confidence).toBeLessThanOrEqual(0.6);
  });

  it('workloadFromPod strips ReplicaSet hashes and StatefulSet ordinals', () => {
    expect(workloadFromPod('cart-7d9f8b6c5d-x2x7q')).toBe('cart');
    expect(workloadFromPod('my-app-6b9c7f5d4-abcde')).toBe('my-app');
    expect(workloadFromPod('postgres-0')).toBe('postgres');
    expect(workloadFromPod('standalone')).toBe('standalone');
  });
});
