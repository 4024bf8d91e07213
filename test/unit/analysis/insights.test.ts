/** Findings as the workspace's recommendations and alerts (the mapping behind GET …/recommendations and …/alerts). */
import { describe, expect, it } from 'vitest';
import { mergeAlerts } from '../../../src/analysis/alerts.js';
import type { PromAlert } from '../../../src/clients/prometheus.js';
import { RecommendationSchema, recommendationsFrom } from '../../../src/analysis/recommendations.js';
import type { FindingKind, Severity } from '../../../src/analysis/types.js';
import { finding, shop } from './diagnose/fixtures.js';

const GiB = 2 ** 30;
const of = (kind: FindingKind, severity: Severity, details: Record<string, unknown> = {}) =>
  finding(kind, shop(`${kind}-${severity}`), { severity, details });

describe('recommendationsFrom()', () => {
  it('maps each kind and severity to its category, priority, effort and default action', () => {
    const cases: [FindingKind, Severity, Partial<Record<'category' | 'priority' | 'effort', string>>, string][] = [
      [
        'capacity',
        'critical',
        { category: 'reliability', priority: 'critical', effort: 'medium' },
        'Expand the capacity or reduce usage before the forecast time',
      ],
      [
        'quota',
        'warning',
        { category: 'reliability', priority: 'high', effort: 'medium' },
        'Expand the capacity or reduce usage before the forecast time',
      ],
      ['capacity', 'info', { category: 'reliability', priority: 'medium' }, 'Expand the capacity or reduce usage before the forecast time'],
      ['compliance', 'critical', { category: 'reliability', priority: 'high', effort: 'low' }, 'Fix the workload specification'],
      ['compliance', 'warning', { category: 'reliability', priority: 'medium', effort: 'low' }, 'Fix the workload specification'],
      [
        'security',
        'critical',
        { category: 'security', priority: 'critical', effort: 'medium' },
        'Investigate the workload: its image, recent changes and outbound connections',
      ],
      [
        'egress',
        'warning',
        { category: 'security', priority: 'high', effort: 'medium' },
        'Investigate the workload: its image, recent changes and outbound connections',
      ],
      [
        'egress',
        'info',
        { category: 'security', priority: 'high' },
        'Investigate the workload: its image, recent changes and outbound connections',
      ],
    ];
    for (const [kind, severity, expected, action] of cases) {
      const f = of(kind, severity);
      const [r] = recommendationsFrom([f]);
      expect(r, `${kind}/${severity}`).toMatchObject({
        ...expected,
        finding_kind: kind,
        title: f.title,
        description: f.title,
        estimated_savings: null,
        actions: [action],
      });
      expect(RecommendationSchema.safeParse(r).success).toBe(true);
    }
    // Actions named by the finding replace the default; a list that is not all strings does not.
    expect(recommendationsFrom([of('compliance', 'warning', { actions: ['Pin the image'] })])[0]?.actions).toEqual(['Pin the image']);
    expect(recommendationsFrom([of('compliance', 'warning', { actions: ['Pin', 1] })])[0]?.actions).toEqual([
      'Fix the workload specification',
    ]);
  });

  it('right-sizing: reclaimable savings are cost, requests below usage are reliability', () => {
    const over = of('rightsizing', 'info', {
      classification: 'over-provisioned',
      savings: { cpu_cores: 1.5, memory_bytes: 3 * GiB, largest_share: 0.6 },
      notes: ['CPU: no limit advised'],
    });
    const under = of('rightsizing', 'warning', { classification: 'under-provisioned', savings: { cpu_cores: -0.5, memory_bytes: -GiB } });
    const [a] = recommendationsFrom([over]);
    expect(a).toMatchObject({
      category: 'cost',
      priority: 'medium',
      effort: 'low',
      impact: 'frees 1.50 cores and 3.00 GiB of requests',
      estimated_savings: { cpu_cores: 1.5, memory_gib: 3, share_of_requests: 0.6 },
    });
    expect(a?.actions).toEqual(['Set the container requests and limits to the recommended values', 'CPU: no limit advised']);
    const [b] = recommendationsFrom([under]);
    expect(b).toMatchObject({
      category: 'reliability',
      priority: 'high',
      estimated_savings: null,
      actions: ['Set the container requests and limits to the recommended values'],
    });
    // Small reclaimable savings are low priority.
    expect(
      recommendationsFrom([
        of('rightsizing', 'info', { classification: 'over-provisioned', savings: { cpu_cores: 0.2, memory_bytes: GiB } }),
      ])[0]?.priority,
    ).toBe('low');
  });

  it('leaves out the kinds that are not recommendations, and sorts by priority, then title', () => {
    const recs = recommendationsFrom([
      of('anomaly', 'critical'),
      of('deploy', 'info'),
      of('compliance', 'warning'),
      of('capacity', 'critical'),
      of('egress', 'warning'),
      of('security', 'warning'),
    ]);
    expect(recs.map((r) => [r.priority, r.finding_kind])).toEqual([
      ['critical', 'capacity'],
      ['high', 'egress'],
      ['high', 'security'],
      ['medium', 'compliance'],
    ]);
  });
});

describe('mergeAlerts()', () => {
  it('deploys and right-sizing are not alerts, whatever their severity', () => {
    expect(mergeAlerts([], [of('deploy', 'warning'), of('rightsizing', 'critical'), of('latency', 'warning')]).map((a) => a.name)).toEqual([
      'AIOpsLatency',
    ]);
  });

  it('most severe first, then by name; info findings are not alerts; Prometheus wins a shared fingerprint', () => {
    const prometheus: PromAlert[] = [
      { labels: { alertname: 'DiskSlow', severity: 'info' }, annotations: {}, state: 'firing' },
      {
        labels: { alertname: 'AIOpsLatency', namespace: 'shop', workload: 'latency-warning' },
        annotations: { summary: 'from Prometheus' },
        state: 'pending',
      },
      { labels: { alertname: 'Gone', severity: 'critical' }, annotations: {}, state: 'inactive' },
    ];
    const alerts = mergeAlerts(prometheus, [
      of('latency', 'warning'),
      of('oom_kill', 'critical'),
      of('errors', 'info'),
      of('capacity', 'critical'),
    ]);
    expect(alerts.map((a) => [a.severity, a.name, a.source])).toEqual([
      ['critical', 'AIOpsCapacity', 'aiops'],
      ['critical', 'AIOpsOomKill', 'aiops'],
      ['warning', 'AIOpsLatency', 'prometheus'],
      ['info', 'DiskSlow', 'prometheus'],
    ]);
  });
});
