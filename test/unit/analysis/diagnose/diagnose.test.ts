import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../../src/analysis/diagnose/diagnose.js';
import { confidenceOf } from '../../../../src/analysis/diagnose/common.js';
import type { Finding } from '../../../../src/analysis/types.js';
import { CONTEXT, finding, shop } from './fixtures.js';

const evidenceKey = (e: Finding['evidence'][number]): string => JSON.stringify([e.series, e.time, e.value, e.why]);

/** A busy incident: many rules firing at once. */
function incident(): Finding[] {
  return [
    finding('deploy', shop('cart'), { severity: 'info' }),
    finding('restarts', shop('cart'), { minute: 3, severity: 'critical' }),
    finding('not_ready', shop('cart'), { minute: 4 }),
    finding('memory_growth', shop('orders'), { score: 0.9 }),
    finding('oom_kill', shop('orders'), { severity: 'critical', score: 0.95 }),
    finding('cpu_throttling', { namespace: 'web', workload: 'api' }, { minute: -200 }),
    finding('latency', { namespace: 'web', service: 'api' }, { minute: -200 }),
    finding('capacity', { namespace: 'db', persistentvolumeclaim: 'data-pg-0' }),
    finding('rightsizing', shop('idle'), { severity: 'info' }),
  ];
}

describe('diagnose()', () => {
  it('healthy workspace: nothing wrong, no hypotheses, no actions', () => {
    for (const fs of [
      [],
      [finding('rightsizing', shop('api'), { severity: 'info' }), finding('deploy', shop('api'), { severity: 'info' })],
    ]) {
      const r = diagnose(fs, CONTEXT);
      expect(r.diagnosis.hypotheses).toEqual([]);
      expect(r.proposedActions).toEqual([]);
      expect(r.diagnosis.recommended_actions).toEqual([]);
      expect(r.diagnosis.summary).toMatch(/nothing is wrong/);
    }
  });

  it('every hypothesis cites evidence drawn from its own findings', () => {
    const fs = incident();
    const byId = new Map(fs.map((f) => [f.id, f]));
    const r = diagnose(fs, CONTEXT);
    expect(r.diagnosis.hypotheses.length).toBe(4);
    for (const h of r.diagnosis.hypotheses) {
      expect(h.evidence.length).toBeGreaterThan(0);
      const allowed = new Set(h.finding_ids.flatMap((id) => byId.get(id)!.evidence.map(evidenceKey)));
      for (const e of h.evidence) expect(allowed.has(evidenceKey(e))).toBe(true);
    }
  });

  it('no finding is explained twice; hypotheses sorted by confidence', () => {
    const r = diagnose(incident(), CONTEXT);
    const ids = r.diagnosis.hypotheses.flatMap((h) => h.finding_ids);
    expect(new Set(ids).size).toBe(ids.length);
    const conf = r.diagnosis.hypotheses.map((h) => h.confidence);
    expect([...conf].sort((a, b) => b - a)).toEqual(conf);
    expect(r.rules.sort()).toEqual(['bad_release', 'cpu_limit_too_low', 'memory_leak', 'pvc_filling']);
  });

  it('the more specific rule wins: bad release over crash loop, memory leak over OOM alone', () => {
    const release = diagnose(
      [finding('deploy', shop('cart'), { severity: 'info' }), finding('restarts', shop('cart'), { minute: 2 })],
      CONTEXT,
    );
    expect(release.rules).toEqual(['bad_release']);
    const leak = diagnose([finding('oom_kill', shop('cart')), finding('memory_growth', shop('cart'))], CONTEXT);
    expect(leak.rules).toEqual(['memory_leak']);
    expect(leak.diagnosis.hypotheses).toHaveLength(1);
  });

  it('actions are valid, target the right workload and cite the hypothesis', () => {
    const r = diagnose(incident(), CONTEXT);
    expect(r.proposedActions.length).toBeGreaterThan(0);
    const causes = r.diagnosis.hypotheses.map((h) => h.cause);
    for (const a of r.proposedActions) {
      expect(a.target_resource).toMatch(/^[a-z]+\/[A-Za-z0-9._-]+$/);
      expect(a.namespace).toBeDefined();
      expect(causes.some((c) => a.reason.includes(c))).toBe(true);
    }
    expect(r.proposedActions.find((a) => a.action_type === 'restart_application')).toMatchObject({
      target_resource: 'deployment/orders',
      namespace: 'shop',
    });
    expect(r.proposedActions.find((a) => a.action_type === 'expand_volume')).toMatchObject({
      target_resource: 'persistentvolumeclaim/data-pg-0',
      namespace: 'db',
    });
    expect(r.proposedActions.some((a) => a.target_resource === 'deployment/cart')).toBe(false); // bad release: human rollback only
  });

  it('no action without a namespace or with an untargetable name', () => {
    const r = diagnose(
      [finding('cpu_saturation', { workload: 'worker' }), finding('cpu_saturation', { namespace: 'shop', workload: 'bad name!' })],
      CONTEXT,
    );
    expect(r.diagnosis.hypotheses).toHaveLength(2);
    expect(r.proposedActions).toEqual([]);
  });

  it('malformed findings are ignored, never cited', () => {
    const bad = { ...finding('oom_kill', shop('cart')), evidence: [] } as Finding;
    const r = diagnose([bad], CONTEXT);
    expect(r.diagnosis.hypotheses).toEqual([]);
  });

  it('confidence is capped: one signal never above 0.6, never 1.0', () => {
    const one = [finding('oom_kill', shop('a'), { score: 1, severity: 'critical' })];
    expect(confidenceOf(one, 0.9)).toBe(0.6);
    const many = (['oom_kill', 'memory_growth', 'restarts', 'not_ready'] as const).map((k) =>
      finding(k, shop('a'), { score: 1, severity: 'critical' }),
    );
    expect(confidenceOf(many, 0.9)).toBe(0.9);
  });

  it('is deterministic and bounded for large inputs', () => {
    const fs: Finding[] = [];
    for (let i = 0; i < 200; i++) fs.push(finding('cpu_saturation', shop(`w${i}`), { score: (i % 10) / 10 }));
    const a = diagnose(fs, CONTEXT);
    const b = diagnose([...fs].reverse(), CONTEXT);
    expect(a.diagnosis.hypotheses).toHaveLength(25);
    expect(a.diagnosis.summary).toContain('+175 lower-ranked not listed');
    expect(b.diagnosis.hypotheses.map((h) => h.cause)).toEqual(a.diagnosis.hypotheses.map((h) => h.cause));
  });
});
