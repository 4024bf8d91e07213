import { describe, expect, it } from 'vitest';
import { collectFindings, findingsWindowQueries, imageTag, seriesId, workloadOf } from '../../../../src/analysis/findings/index.js';
import { QUERY_CATALOG } from '../../../../src/metrics/catalog/catalog.js';
import { parseSampleValue, seriesFromMatrix } from '../../../../src/analysis/series-from-results.js';
import { ANALYSES, type SeriesData } from '../../../../src/analysis/types.js';
import { scenarioSeries } from './scenario-series.js';

const T0 = 1_750_000_000;
function series(query: string, labels: Record<string, string>, values: number[]): SeriesData {
  return { query, labels, times: values.map((_, i) => T0 + 60 * i), values };
}
const ctr = { namespace: 'shop', pod: 'api-7d9f8c6b5d-x2x9z', container: 'api' };
const flat = (n: number, v: number) => Array.from({ length: n }, () => v);

describe('helpers', () => {
  it('series ids, workloads and image tags', () => {
    expect(seriesId(series('cpu_throttling', { ...ctr, workspace_id: 'ws-a', __name__: 'x' }, [1]))).toBe(
      'cpu_throttling{namespace="shop",pod="api-7d9f8c6b5d-x2x9z",container="api"}',
    );
    expect(workloadOf('api-7d9f8c6b5d-x2x9z')).toBe('api');
    expect(workloadOf('report-builder-tfsnhf4clm-z8rj4')).toBe('report-builder');
    expect(workloadOf('postgres-0')).toBe('postgres');
    expect(workloadOf('standalone')).toBe('standalone');
    expect(imageTag('ghcr.io/a/b:1.2.3')).toBe('1.2.3');
    expect(imageTag('registry:5000/a/b')).toBeUndefined();
    expect(imageTag('nginx:latest')).toBe('latest');
    expect(imageTag('nginx@sha256:abc')).toBe('sha256:abc');
  });

  it('converts Prometheus matrices, special values included', () => {
    const out = seriesFromMatrix('cpu_usage', {
      resultType: 'matrix',
      result: [
        {
          metric: ctr,
          values: [
            [T0, '1.5'],
            [T0 + 60, 'NaN'],
            [T0 + 120, '+Inf'],
          ],
        },
        { metric: {}, values: [] },
      ],
    });
    expect(out).toEqual([{ query: 'cpu_usage', labels: ctr, times: [T0, T0 + 60, T0 + 120], values: [1.5, Number.NaN, Infinity] }]);
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
  });

  it('findingsWindowQueries names catalog queries only, each once', () => {
    const all = findingsWindowQueries([...ANALYSES]);
    expect(new Set(all).size).toBe(all.length);
    for (const q of all) expect(QUERY_CATALOG.has(q), q).toBe(true);
    expect(findingsWindowQueries(['capacity'])).toEqual(['pvc_usage', 'memory_usage_vs_limits', 'quota_usage']);
    expect(findingsWindowQueries(['compliance'])).toContain('container_info');
  });
});

describe('compliance', () => {
  it('flags :latest and untagged images', () => {
    const findings = collectFindings(
      [
        series('container_info', { ...ctr, image: 'ghcr.io/x/api:latest' }, [1, 1]),
        series('container_info', { ...ctr, container: 'sidecar', image: 'busybox' }, [1]),
        series('container_info', { ...ctr, container: 'ok', image: 'busybox:1.36' }, [1]),
      ],
      ['compliance'],
    );
    expect(findings.map((f) => f.details.image).sort()).toEqual(['busybox', 'ghcr.io/x/api:latest']);
    expect(findings.every((f) => f.kind === 'compliance' && f.severity === 'warning')).toBe(true);
  });

  it('flags containers with usage but no requests or limits, only for fetched queries', () => {
    const usage = series('cpu_usage', ctr, flat(10, 0.1));
    const findings = collectFindings(
      [usage, series('cpu_requests', ctr, flat(10, 0.1)), series('memory_requests', { ...ctr, container: 'other' }, flat(10, 1))],
      ['compliance'],
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.details.missing).toEqual(['memory request']);
    expect(collectFindings([usage], ['compliance'])).toEqual([]);
  });

  it('the scenario images are all pinned', async () => {
    const findings = collectFindings(await scenarioSeries([], ['container_info']), ['compliance']);
    expect(findings).toEqual([]);
  });
});

describe('health rules on synthetic series', () => {
  it('OOM kills with memory at the limit as evidence', () => {
    const findings = collectFindings(
      [series('oom_kills', ctr, [0, 0, 1, 1]), series('memory_usage_vs_limits', ctr, [0.5, 0.9, 0.99, 0.4])],
      ['health'],
    );
    const oom = findings.find((f) => f.kind === 'oom_kill')!;
    expect(oom.severity).toBe('critical');
    expect(oom.evidence.map((e) => e.series)).toContain(
      'memory_usage_vs_limits{namespace="shop",pod="api-7d9f8c6b5d-x2x9z",container="api"}',
    );
    expect(oom.started_at).toBe(new Date((T0 + 120) * 1000).toISOString().replace('.000Z', 'Z'));
  });

  it('no finding from a short blip of throttling or quota below 90 %', () => {
    const findings = collectFindings(
      [
        series('cpu_throttling', ctr, [...flat(30, 0.01), 0.6, 0.6, ...flat(30, 0.01)]),
        series('quota_usage', { namespace: 'shop', resource: 'requests.cpu' }, flat(30, 0.85)),
      ],
      ['health'],
    );
    expect(findings).toEqual([]);
  });

  it('a leak just reset by an OOM kill is still found as memory growth; growth that ended below the limit is not', () => {
    const MiB = 1_048_576;
    const rise = (n: number, from: number, to: number) => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
    const limit = series('memory_limits', ctr, flat(70, 512 * MiB));
    // 60 minutes climbing to the limit, the kill, then only 10 points of the new container.
    const killed = collectFindings(
      [limit, series('memory_working_set', ctr, [...rise(60, 200 * MiB, 510 * MiB), ...rise(10, 150 * MiB, 180 * MiB)])],
      ['health'],
    );
    expect(killed.find((f) => f.kind === 'memory_growth')).toMatchObject({
      evidence: [{}, { why: expect.stringMatching(/just before it dropped/) }],
    });
    // The same climb ending at 60 % of the limit before a drop (a rollout or a restart, not a kill): nothing.
    const restarted = collectFindings(
      [limit, series('memory_working_set', ctr, [...rise(60, 150 * MiB, 300 * MiB), ...rise(10, 150 * MiB, 160 * MiB)])],
      ['health'],
    );
    expect(restarted.find((f) => f.kind === 'memory_growth')).toBeUndefined();
    // A new container warming up (fast rise, then level) is not a leak.
    const warmUp = Array.from({ length: 60 }, (_, i) => (150 + 200 * (1 - Math.exp(-i / 10))) * MiB);
    expect(
      collectFindings([limit, series('memory_working_set', ctr, warmUp)], ['health']).find((f) => f.kind === 'memory_growth'),
    ).toBeUndefined();
    // Its first 20 to 30 minutes too (what a 1-hour monitoring window sees of a pod started in it): the
    // second half still rises at half the whole's rate, but at under 0.4× the first half's.
    for (const minutes of [20, 25, 30]) {
      const young = Array.from({ length: minutes }, (_, i) => (300 + 160 * (1 - Math.exp(-i / 10))) * MiB);
      expect(
        collectFindings([limit, series('memory_working_set', ctr, young)], ['health']).find((f) => f.kind === 'memory_growth'),
        `${minutes} minutes of warm-up`,
      ).toBeUndefined();
    }
    expect(
      collectFindings([limit, series('memory_working_set', ctr, rise(60, 150 * MiB, 350 * MiB))], ['health']).find(
        (f) => f.kind === 'memory_growth',
      ),
    ).toBeDefined();
  });

  it('a rollout is a deploy finding with the time of the new pod', () => {
    const findings = collectFindings(
      [
        series('cpu_usage', { ...ctr, pod: 'api-aaaaaaaaaa-11111' }, flat(20, 0.1)),
        {
          ...series('cpu_usage', { ...ctr, pod: 'api-bbbbbbbbbb-22222' }, flat(10, 0.1)),
          times: flat(10, 0).map((_, i) => T0 + 600 + 60 * i),
        },
      ],
      ['health'],
    );
    expect(findings).toMatchObject([
      {
        kind: 'deploy',
        severity: 'info',
        resource: { workload: 'api' },
        details: { new_template_hash: 'bbbbbbbbbb', previous_template_hashes: ['aaaaaaaaaa'] },
      },
    ]);
  });
});
