/** The one fetch-and-analyse step (src/analysis/fetch-and-analyse.ts): what it reports and when it runs the analysers. */
import { describe, expect, it } from 'vitest';
import { fetchAndAnalyse } from '../../../src/analysis/fetch-and-analyse.js';
import { collectFindings } from '../../../src/analysis/findings/index.js';
import { findingsWindowQueries } from '../../../src/analysis/findings/required-queries.js';
import { ANALYSES, type AnalysisKind, type SeriesData } from '../../../src/analysis/types.js';
import type { FindingsEngine } from '../../../src/analysis/workers/findings-engine.js';
import { MetricsError } from '../../../src/metrics/metrics-error.js';
import type { MetricsSource } from '../../../src/metrics/metrics-source.js';
import { scenarioSeries, scenarioSource, WINDOW } from './findings/scenario-series.js';

const WS = { workspaceId: 'ws-t' };

/** An engine that records its calls and answers like the inline one. */
function recordingEngine(): FindingsEngine & { calls: { series: number; analyses: readonly AnalysisKind[] }[] } {
  const calls: { series: number; analyses: readonly AnalysisKind[] }[] = [];
  return {
    calls,
    async collect(series, analyses, options) {
      calls.push({ series: series.length, analyses });
      return collectFindings(series, analyses, options);
    },
  };
}

function failingSource(failing: (name: string) => boolean, inner: MetricsSource): MetricsSource {
  return Object.assign(Object.create(inner) as MetricsSource, {
    async range(...args: Parameters<MetricsSource['range']>) {
      const [, query] = args;
      if (query.kind === 'catalog' && failing(query.name)) throw new MetricsError('unavailable', `${query.name} is down`);
      return inner.range(...args);
    },
  });
}

describe('the fetch-and-analyse step', () => {
  it('fetches the queries over the window and gives the same findings as collecting the fetched series', async () => {
    const analyses: AnalysisKind[] = ['anomaly', 'health', 'capacity'];
    const queries = findingsWindowQueries(analyses);
    const engine = recordingEngine();
    const got = await fetchAndAnalyse(
      scenarioSource('ws-t', ['memory_leak', 'pvc_filling']),
      WS,
      { queries, window: WINDOW, analyses, options: { limit: 50 } },
      { engine },
    );
    const series: SeriesData[] = await scenarioSeries(['memory_leak', 'pvc_filling'], queries);
    expect(got.seriesAnalysed).toBe(series.length);
    expect(got.failures).toEqual([]);
    expect(got.findings).toEqual(collectFindings(series, analyses, { limit: 50 }));
    expect(got.findings.length).toBeGreaterThan(0);
    expect(engine.calls).toEqual([{ series: series.length, analyses }]);
  });

  it('reports the failed queries and analyses the rest', async () => {
    const queries = findingsWindowQueries(['health']);
    const source = failingSource((name) => name === queries[0], scenarioSource('ws-t', ['memory_leak']));
    const got = await fetchAndAnalyse(source, WS, { queries, window: WINDOW, analyses: ['health'] });
    expect(got.failures).toEqual([{ query: queries[0], args: {}, message: `${queries[0]} is down`, kind: 'unavailable' }]);
    expect(got.seriesAnalysed).toBeGreaterThan(0);
  });

  it('without any series, answers no findings without troubling the engine (the analysers find nothing in nothing)', async () => {
    expect(collectFindings([], [...ANALYSES])).toEqual([]);
    const queries = findingsWindowQueries(['health']);
    const engine = recordingEngine();
    const got = await fetchAndAnalyse(
      failingSource(() => true, scenarioSource('ws-t', [])),
      WS,
      { queries, window: WINDOW, analyses: ['health'] },
      { engine },
    );
    expect(got).toMatchObject({ seriesAnalysed: 0, findings: [] });
    expect(got.failures).toHaveLength(queries.length);
    expect(engine.calls).toEqual([]);
  });
});
