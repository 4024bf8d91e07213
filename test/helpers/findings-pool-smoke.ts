/**
 * Run with tsx by test/integration/findings-pool.test.ts: the worker pool as a tsx-run process
 * (the dev server, the benchmarks) starts it, with one task over a demo workspace compared to the
 * inline result. Prints one JSON line.
 */
import { isDeepStrictEqual } from 'node:util';
import { collectFindings, findingsWindowQueries } from '../../src/analysis/findings/index.js';
import { fetchSeries } from '../../src/analysis/series-from-results.js';
import { createFindingsPool } from '../../src/analysis/workers/findings-pool.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const source = new EmbeddedMetricsSource({
  workspaces: [scenarioWorkspace('ws-a', ['memory_leak'])],
  tenantLabel: 'workspace_id',
  now: () => NOW,
});
const end = Math.floor(NOW / 1000 / 300) * 300;
const { series } = await fetchSeries(source, { workspaceId: 'ws-a' }, findingsWindowQueries(['anomaly', 'health', 'capacity']), {
  start: end - 21_600,
  end,
  step: 60,
});
const pool = createFindingsPool({ threads: 1 });
const findings = await pool.collect(series, ['anomaly', 'health', 'capacity']);
const threads = pool.threadIds.length;
await pool.close();
process.stdout.write(
  `${JSON.stringify({ mode: pool.mode, threads, findings: findings.length, equal: isDeepStrictEqual(findings, collectFindings(series, ['anomaly', 'health', 'capacity'])) })}\n`,
);
