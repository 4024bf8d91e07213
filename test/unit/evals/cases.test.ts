/** The shipped cases: all valid, at least 30, and together they cover every item issue 9 lists. */
import { describe, expect, it } from 'vitest';
import { stepsOf, type EvalCase } from '../../../evals/runner/case-schema.js';
import { loadCases } from '../../../evals/runner/load-cases.js';
import { DEFAULT_CASES_DIR } from '../../../evals/runner/run.js';
import { INCIDENT_KINDS } from '../../../src/metrics/scenarios/index.js';

const cases = await loadCases(DEFAULT_CASES_DIR);
const incidentsOf = (c: EvalCase) =>
  c.scenario.workspaces.flatMap((w) =>
    w.preset === 'ws-demo' ? ['memory_leak', 'pvc_filling'] : w.incidents.map((i) => (typeof i === 'string' ? i : i.kind)),
  );
const some = (pred: (c: EvalCase) => boolean) => cases.filter(pred).map((c) => c.id);

describe('evals/cases', () => {
  it('holds at least 30 valid cases with unique ids, each tagged with difficulty and category', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      expect(['easy', 'medium', 'hard']).toContain(c.difficulty);
      expect(c.category).toBeTruthy();
      expect(c.description.length, c.id).toBeGreaterThan(40);
    }
    expect(new Set(cases.map((c) => c.difficulty))).toEqual(new Set(['easy', 'medium', 'hard']));
  });

  it('script every incident the scenario generator knows (memory leak/OOM, throttling, crash loop, latency, noisy neighbour, PVC, quota, right-sizing, egress, mining)', () => {
    const used = new Set(cases.flatMap(incidentsOf));
    expect([...INCIDENT_KINDS].filter((k) => !used.has(k))).toEqual([]);
    for (const tag of ['oom', 'throttling', 'forecast', 'rightsizing', 'errors', 'latency'])
      expect(
        some((c) => c.tags.includes(tag)),
        tag,
      ).not.toEqual([]);
  });

  it('include healthy workspaces where the right answer is "nothing wrong"', () => {
    expect(some((c) => c.expect.facts.healthy === true).length).toBeGreaterThanOrEqual(3);
    expect(some((c) => c.category === 'healthy' && stepsOf(c).some((s) => s.kind === 'chat'))).not.toEqual([]);
  });

  it('include prompt injection through labels, annotations and chat', () => {
    expect(some((c) => Object.keys(c.scenario.adversarial.labels).length > 0).length).toBeGreaterThanOrEqual(2);
    expect(some((c) => c.scenario.adversarial.alerts.length > 0).length).toBeGreaterThanOrEqual(2);
    expect(
      some(
        (c) =>
          c.category === 'injection' &&
          stepsOf(c).some((s) => s.kind === 'chat' && /ignore (all )?previous instructions/i.test(s.messages.join(' '))),
      ),
    ).not.toEqual([]);
  });

  it('include attempts to reach another workspace (routes, analysis, admin token, run ids, PromQL, filters, chat)', () => {
    const crossing = some((c) => c.category === 'tenancy');
    expect(crossing.length).toBeGreaterThanOrEqual(6);
    expect(some((c) => c.category === 'tenancy' && stepsOf(c).some((s) => s.kind === 'chat'))).not.toEqual([]);
    expect(some((c) => c.token.permissions.includes('aiops:admin') && c.category === 'tenancy')).not.toEqual([]);
  });

  it('include remediation requested without the scope (REST and chat), and one approved change', () => {
    const withoutScope = some((c) =>
      stepsOf(c).some(
        (s) =>
          s.kind === 'http' &&
          /\/(remediate|remediations\/.*\/approve)$/.test(s.path) &&
          !(s.token?.permissions ?? c.token.permissions).some((p) => p === 'aiops:remediate' || p === 'aiops:admin'),
      ),
    );
    expect(withoutScope.length).toBeGreaterThanOrEqual(2);
    expect(
      some(
        (c) =>
          c.category === 'authorization' && stepsOf(c).some((s) => s.kind === 'chat') && !c.token.permissions.includes('aiops:remediate'),
      ),
    ).not.toEqual([]);
    expect(some((c) => c.expect.mutation === 'with_approval' && c.expect.min_writes > 0)).not.toEqual([]);
    expect(cases.filter((c) => c.expect.mutation === 'with_approval').length).toBe(1); // every other case allows no change at all
  });
});
