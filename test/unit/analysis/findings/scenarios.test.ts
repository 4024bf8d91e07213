import { describe, expect, it } from 'vitest';
import { collectFindings, findingsWindowQueries } from '../../../../src/analysis/findings/index.js';
import { analyseRightsizing } from '../../../../src/analysis/findings/rightsizing.js';
import { groupByQuery } from '../../../../src/analysis/findings/series-utils.js';
import { ANALYSES, FindingSchema, type Finding, type FindingKind } from '../../../../src/analysis/types.js';
import type { IncidentKind } from '../../../../src/metrics/scenarios/index.js';
import { scenarioSeries } from './scenario-series.js';

/** For each incident: the finding kinds that must appear, and on which resource. */
const EXPECTED: Record<
  IncidentKind,
  { kind: FindingKind; namespace: string; workload?: string; pvc?: string; minSeverity: 'warning' | 'critical' | 'info' }[]
> = {
  memory_leak: [
    { kind: 'oom_kill', namespace: 'shop', workload: 'api', minSeverity: 'critical' },
    { kind: 'memory_growth', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
    { kind: 'restarts', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
  ],
  cpu_saturation: [
    { kind: 'cpu_saturation', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
    { kind: 'cpu_throttling', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
    { kind: 'anomaly', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
  ],
  crash_loop_after_deploy: [
    { kind: 'restarts', namespace: 'shop', workload: 'frontend', minSeverity: 'critical' },
    { kind: 'not_ready', namespace: 'shop', workload: 'frontend', minSeverity: 'warning' },
    { kind: 'deploy', namespace: 'shop', workload: 'frontend', minSeverity: 'info' },
  ],
  latency_regression: [
    { kind: 'latency', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
    { kind: 'errors', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
    { kind: 'deploy', namespace: 'shop', workload: 'api', minSeverity: 'info' },
  ],
  pvc_filling: [{ kind: 'capacity', namespace: 'data', pvc: 'data-postgres-0', minSeverity: 'warning' }],
  noisy_neighbour: [
    { kind: 'anomaly', namespace: 'shop', workload: 'report-builder', minSeverity: 'warning' },
    { kind: 'cpu_throttling', namespace: 'shop', workload: 'api', minSeverity: 'warning' },
    { kind: 'compliance', namespace: 'shop', workload: 'report-builder', minSeverity: 'info' },
  ],
  egress_spike: [{ kind: 'egress', namespace: 'shop', workload: 'api', minSeverity: 'warning' }],
  quota_exhaustion: [
    { kind: 'quota', namespace: 'shop', minSeverity: 'warning' },
    { kind: 'capacity', namespace: 'shop', minSeverity: 'warning' },
  ],
  over_provisioned: [{ kind: 'rightsizing', namespace: 'shop', workload: 'frontend', minSeverity: 'info' }],
  mining_pattern: [
    { kind: 'security', namespace: 'tools', workload: 'docs', minSeverity: 'critical' },
    { kind: 'egress', namespace: 'tools', workload: 'docs', minSeverity: 'warning' },
  ],
};

const RANK = { info: 0, warning: 1, critical: 2 } as const;

function expectWellFormed(findings: Finding[]): void {
  for (const f of findings) {
    expect(() => FindingSchema.parse(f)).not.toThrow();
    expect(f.evidence.length).toBeGreaterThanOrEqual(1);
    for (const e of f.evidence) {
      expect(Number.isFinite(Date.parse(e.time))).toBe(true);
      expect(e.series).toMatch(/^[a-z0-9_]+\{.*\}$/);
    }
  }
  for (let i = 1; i < findings.length; i++) {
    const a = findings[i - 1]!;
    const b = findings[i]!;
    expect(RANK[a.severity] > RANK[b.severity] || (a.severity === b.severity && a.score >= b.score)).toBe(true);
  }
}

describe('collectFindings on scenario workspaces (6 h, 60 s step)', () => {
  it('a healthy workspace yields no warning or critical finding', async () => {
    const findings = collectFindings(await scenarioSeries([]), [...ANALYSES]);
    expectWellFormed(findings);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  for (const [incident, expected] of Object.entries(EXPECTED) as [IncidentKind, (typeof EXPECTED)[IncidentKind]][]) {
    it(`${incident}: ${expected.map((e) => e.kind).join(', ')} on the right resource`, async () => {
      const findings = collectFindings(await scenarioSeries([incident]), [...ANALYSES]);
      expectWellFormed(findings);
      for (const e of expected) {
        const match = findings.find(
          (f) =>
            f.kind === e.kind &&
            f.resource.namespace === e.namespace &&
            (e.workload === undefined || f.resource.workload === e.workload) &&
            (e.pvc === undefined || f.resource.persistentvolumeclaim === e.pvc) &&
            RANK[f.severity] >= RANK[e.minSeverity],
        );
        expect(
          match,
          `${e.kind} on ${e.namespace}/${e.workload ?? e.pvc ?? ''}: got ${findings.map((f) => `${f.kind}@${f.resource.workload ?? ''}`).join(', ')}`,
        ).toBeDefined();
      }
    });
  }

  it('over_provisioned: savings in the details', async () => {
    const findings = collectFindings(await scenarioSeries(['over_provisioned']), ['rightsizing']);
    const f = findings.find((x) => x.resource.workload === 'frontend');
    expect(f?.details.classification).toBe('over-provisioned');
    const cpu = f?.details.cpu as { savings_share: number; savings_cores: number };
    expect(cpu.savings_share).toBeGreaterThan(0.5);
    expect(cpu.savings_cores).toBeGreaterThan(0.3);
  });

  it('memory_leak: the leaking container gets no right-sizing advice to raise its memory, with or without the health analysis', async () => {
    const series = await scenarioSeries(['memory_leak']);
    // The analyser alone would tell the leaking api container to ask for more memory …
    const raw = analyseRightsizing(groupByQuery(series)).find((f) => f.resource.workload === 'api');
    expect(raw?.details).toMatchObject({ classification: 'under-provisioned' });
    expect((raw?.details.memory as { recommended_request: number; current_request: number }).recommended_request).toBeGreaterThan(
      (raw?.details.memory as { current_request: number }).current_request,
    );
    // … but wherever findings are combined, the memory rules win: every analysis, or right-sizing alone on its own queries.
    const all = collectFindings(series, [...ANALYSES]);
    expect(all.some((f) => f.kind === 'memory_growth' && f.resource.workload === 'api')).toBe(true);
    const alone = collectFindings(await scenarioSeries(['memory_leak'], findingsWindowQueries(['rightsizing'])), ['rightsizing']);
    for (const findings of [all, alone]) {
      const rightsized = findings.filter((f) => f.kind === 'rightsizing').map((f) => `${f.resource.namespace}/${f.resource.workload}`);
      expect(rightsized).not.toContain('shop/api');
      expect(rightsized).toContain('shop/frontend'); // the healthy containers keep their advice
    }
  });

  it('healthy workspaces get no capacity finding, although capacity now warns of a limit the noise may touch', async () => {
    // The point ETA is when a first crossing becomes more likely than not (time-to-exhaustion.ts), so a series that
    // hovers a noise width below its limit is reported; healthy pods stay far enough from theirs. 12 workspaces.
    for (let k = 1; k <= 12; k++) {
      const series = await scenarioSeries([], findingsWindowQueries(['capacity']), `ws-healthy-${k}`);
      expect(collectFindings(series, ['capacity'])).toEqual([]);
    }
  });

  it('pvc_filling: ETA and range in the capacity details', async () => {
    const [f] = collectFindings(await scenarioSeries(['pvc_filling']), ['capacity']);
    expect(f?.kind).toBe('capacity');
    expect(f?.details).toMatchObject({ query: 'pvc_usage', status: 'will_exhaust' });
    expect(f?.details.eta_hours).toBeGreaterThan(2);
    expect(f?.details.eta_hours).toBeLessThan(12);
    expect(f?.details.eta_low_hours).toBeLessThanOrEqual(f?.details.eta_hours as number);
  });

  it('mining_pattern is not reported for a plain CPU saturation (no egress rise)', async () => {
    const findings = collectFindings(await scenarioSeries(['cpu_saturation']), ['security']);
    expect(findings.filter((f) => f.kind === 'security')).toEqual([]);
  });

  it('only the requested analyses run', async () => {
    const findings = collectFindings(await scenarioSeries(['memory_leak']), ['capacity']);
    expect(new Set(findings.map((f) => f.kind))).toEqual(new Set(findings.length ? ['capacity'] : []));
  });
});
