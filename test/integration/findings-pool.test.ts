/**
 * The findings analysers on worker threads (piscina), loaded from the TypeScript sources as vitest
 * and tsx run them: the same findings as the inline path for every demo workspace and analysis, and
 * an aborted signal stops the work — a queued or not-yet-started task never runs, a running one has
 * its worker terminated (the next task gets a fresh thread) — and rejects with AnalysisAborted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFindings, findingsWindowQueries } from '../../src/analysis/findings/index.js';
import { fetchSeries } from '../../src/analysis/series-from-results.js';
import { ANALYSES, type AnalysisKind, type SeriesData } from '../../src/analysis/types.js';
import { AnalysisAborted, inlineFindingsEngine } from '../../src/analysis/workers/findings-engine.js';
import { createFindingsPool, workerEntry, type FindingsPool, type FindingsTaskOutcome } from '../../src/analysis/workers/findings-pool.js';
import { ClientGone } from '../../src/budget/abort-reason.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { demoWorkspaces } from '../../src/metrics/scenarios/index.js';
import { ANALYSES_BY_TYPE } from '../../src/analysis/plan.js';
import { finish, runTs } from '../helpers/process.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const DAY = 86_400;

/** Each demo workspace's series over 24 h, every query any analysis reads, fetched once. */
async function demoSeries(): Promise<Map<string, SeriesData[]>> {
  // Raw samples every minute (the service's default is 30 s): enough for 5-minute steps, half the generation time.
  const source = new EmbeddedMetricsSource({
    workspaces: demoWorkspaces(),
    tenantLabel: 'workspace_id',
    now: () => NOW,
    sampleStepMs: 60_000,
  });
  const end = Math.floor(NOW / 1000 / 300) * 300;
  const window = { start: end - DAY, end, step: 300 };
  const out = new Map<string, SeriesData[]>();
  for (const ws of demoWorkspaces()) {
    const { series, failures } = await fetchSeries(source, ws, findingsWindowQueries([...ANALYSES]), window);
    expect(failures).toEqual([]);
    out.set(ws.workspaceId, series);
  }
  return out;
}

/** Series the analysers need seconds for: rising memory of many containers (anomaly scoring, capacity forecasts, growth). */
function heavySeries(containers: number): SeriesData[] {
  return Array.from({ length: containers }, (_, i) => ({
    query: 'memory_usage_vs_limits',
    labels: { namespace: 'load', pod: `worker-${i}`, container: 'app' },
    times: Array.from({ length: 1440 }, (_, j) => 1_750_000_000 + 60 * j),
    values: Array.from({ length: 1440 }, (_, j) => 0.3 + 0.5 * (j / 1440) + 0.05 * Math.sin(j * (i + 1))),
  }));
}

describe('the worker pool (one thread; the tests share it in order, the last one closes it)', () => {
  const outcomes: FindingsTaskOutcome[] = [];
  let pool: FindingsPool;
  let series: Map<string, SeriesData[]>;
  beforeAll(async () => {
    pool = createFindingsPool({ threads: 1, onTask: (outcome) => outcomes.push(outcome) });
    series = await demoSeries();
  });
  afterAll(async () => pool?.close());

  it('loads its TypeScript worker through tsx when it runs from the sources', () => {
    expect(workerEntry()).toMatch(/src\/analysis\/workers\/findings-worker\.source\.mjs$/);
    expect(workerEntry('file:///app/dist/src/analysis/workers/findings-pool.js')).toBe('/app/dist/src/analysis/workers/findings-worker.js');
  });

  it('finds exactly what the inline path finds, for every demo workspace and analysis type, and the options travel', async () => {
    const cases: [string, AnalysisKind[]][] = [];
    for (const ws of series.keys()) for (const analyses of Object.values(ANALYSES_BY_TYPE)) cases.push([ws, analyses]);
    const pooled = await Promise.all(cases.map(([ws, analyses]) => pool.collect(series.get(ws)!, analyses)));
    let total = 0;
    cases.forEach(([ws, analyses], i) => {
      expect(pooled[i], `${ws} ${analyses.join(',')}`).toStrictEqual(collectFindings(series.get(ws)!, analyses));
      total += pooled[i]!.length;
    });
    expect(total).toBeGreaterThan(50); // the demo incidents are found, not an empty answer twice
    const options = { minSeverity: 'warning' as const, limit: 3, anomaly: { threshold: 0.6 } };
    expect(await pool.collect(series.get('ws-demo')!, ['anomaly', 'health'], options)).toStrictEqual(
      collectFindings(series.get('ws-demo')!, ['anomaly', 'health'], options),
    );
    expect(pool.threadIds).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
  });

  it('an already aborted signal runs nothing and says why', async () => {
    const before = outcomes.length;
    const gone = new AbortController();
    gone.abort(new ClientGone());
    const err = await pool.collect(series.get('ws-demo')!, ['anomaly'], {}, gone.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnalysisAborted);
    expect((err as Error).message).toBe('the analysis was stopped: the client went away');
    const late = await inlineFindingsEngine
      .collect(series.get('ws-demo')!, ['anomaly'], {}, AbortSignal.abort(new DOMException('late', 'TimeoutError')))
      .catch((e: unknown) => e);
    expect((late as Error).message).toBe('the analysis was stopped: its time budget ran out');
    expect(outcomes.slice(before)).toEqual(['aborted']);
  });

  it('aborting a running task terminates its worker: the call rejects and the next task runs on a fresh thread', async () => {
    const [warm] = pool.threadIds; // idle, so the heavy task starts at once
    expect(warm).toBeDefined();
    const controller = new AbortController();
    // Seconds of work (about 20 ms per container on a busy 2-core machine): it can only end by being aborted.
    const running = pool.collect(heavySeries(400), ['anomaly', 'capacity', 'health'], {}, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort(new DOMException('budget', 'TimeoutError'));
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AnalysisAborted);
    expect((err as Error).message).toMatch(/time budget ran out/);
    expect(pool.threadIds).not.toContain(warm);
    expect(await pool.collect(series.get('ws-demo')!, ['capacity'])).toStrictEqual(collectFindings(series.get('ws-demo')!, ['capacity']));
    expect(pool.threadIds).toHaveLength(1);
    expect(pool.threadIds).not.toContain(warm);
    expect(outcomes.at(-2)).toBe('aborted');
  });

  it('closed: no thread left, and no more work taken', async () => {
    expect(pool.threadIds).toHaveLength(1);
    await pool.close();
    expect(pool.threadIds).toEqual([]);
    await expect(pool.collect(series.get('ws-healthy')!, ['anomaly'])).rejects.toThrow(/closed/);
    expect(pool.threadIds).toEqual([]);
  });

  it('ANALYSIS_WORKER_THREADS=0: the same work inline, no thread', async () => {
    const inline = createFindingsPool({ threads: 0 });
    expect(inline.mode).toBe('inline');
    expect(await inline.collect(series.get('ws-acme')!, ['rightsizing', 'capacity'])).toStrictEqual(
      collectFindings(series.get('ws-acme')!, ['rightsizing', 'capacity']),
    );
    expect(inline.threadIds).toEqual([]);
    await inline.close();
    await expect(inline.collect(series.get('ws-acme')!, ['capacity'])).rejects.toThrow(/closed/);
  });
});

describe('under tsx', () => {
  it('a script run with `tsx` (as npm run bench:* and the dev server are) starts the pool and gets the inline findings', async () => {
    const run = await finish(runTs('test/helpers/findings-pool-smoke.ts', [], {}));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'worker', threads: 1, equal: true });
    expect(JSON.parse(run.stdout).findings).toBeGreaterThan(0);
  });
});
