/**
 * The analysis tools read through the same bounded metrics source: a model (or a planner) passing a
 * hostile window gets an error naming the limit, quickly and without the process growing, never a
 * generation reaching back to 1970. Real tools over the embedded source, through the toolbox.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { demoWorkspaces } from '../../src/metrics/scenarios/index.js';
import { createGraphToolBox } from '../../tools/index.js';
import type { ToolResult } from '../../tools/tool.js';
import { ctxFor, FakeAuditLog } from '../unit/tools/fakes.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const now = NOW / 1000;
const DAY = 86_400;
const MAX_RSS_GROWTH = 200 * 1024 * 1024;

const metrics = new EmbeddedMetricsSource({ workspaces: demoWorkspaces(), tenantLabel: 'workspace_id', now: () => NOW });
// The graph's toolbox: every model-facing tool plus fetch_series.
const box = createGraphToolBox({ metrics, audit: new FakeAuditLog(), now: () => NOW });
const analyst = ctxFor('ws-demo', ['aiops:read', 'aiops:analyze']);

async function refused(run: () => Promise<ToolResult>): Promise<ToolResult & { status: 'error' }> {
  const before = process.memoryUsage().rss;
  const result = await run();
  expect(process.memoryUsage().rss - before).toBeLessThan(MAX_RSS_GROWTH);
  expect(result.status, JSON.stringify(result).slice(0, 300)).toBe('error');
  return result as ToolResult & { status: 'error' };
}

const fetchSeries = (window: { start: number; end: number; step: number }) =>
  box.run(
    'fetch_series',
    {
      queries: [
        { name: 'cpu_usage', purpose: 'probe' },
        { name: 'memory_working_set', purpose: 'probe' },
      ],
      window,
    },
    analyst,
  );

describe('fetch_series with hostile windows', () => {
  it.each([
    ['a huge step (start aligned to 1970 before the fix)', { start: now - 3600, end: now, step: 1e14 }, { limit: 'step' }],
    ['a step of 1 ms', { start: now - 3600, end: now, step: 0.001 }, { limit: 'step' }],
    ['a range from 1970', { start: 0, end: now, step: 3600 }, { limit: 'range' }],
    // Within the tool's own range limits: refused by the data layer, for every query.
    [
      'a day, 90 days ago',
      { start: now - 90 * DAY, end: now - 89 * DAY, step: 60 },
      { failures: [{ message: expect.stringMatching(/older than the lookback limit/) }, expect.anything()] },
    ],
    [
      'a minute at 1e308',
      { start: 1e308, end: 1e308, step: 60 },
      { failures: [{ message: expect.stringMatching(/in the future/) }, expect.anything()] },
    ],
  ])('%s → error naming the limit', async (_label, window, details) => {
    const r = await refused(() => fetchSeries(window));
    expect(r.details).toMatchObject({ kind: 'limit_exceeded', ...details });
  });

  it('a sane window still answers', async () => {
    const r = await fetchSeries({ start: now - 3600, end: now, step: 60 });
    expect(r.status).toBe('ok');
  });
});

describe('the model-facing tools and their window (tools/window.ts)', () => {
  it.each([
    ['query_metrics', 'a window of a billion minutes', { name: 'cpu_usage', mode: 'range', window_minutes: 1e9 }],
    ['query_metrics', 'a step of 1 ms', { name: 'cpu_usage', mode: 'range', step_seconds: 0.001 }],
    ['query_metrics', 'a step of 1e308 s', { name: 'cpu_usage', mode: 'range', step_seconds: 1e308 }],
    ['detect_anomalies', 'a window of a billion minutes', { window_minutes: 1e9 }],
    ['forecast_capacity', 'a step of 1e308 s', { step_seconds: 1e308 }],
  ])('%s: %s is refused by the input schema', async (tool, _label, args) => {
    const r = await refused(() => box.run(tool, args, analyst));
    expect(r.message).toMatch(/window_minutes|step_seconds/);
  });

  it('the longest window it allows (7 days) answers', async () => {
    const r = await box.run('query_metrics', { name: 'memory_working_set', mode: 'range', window_minutes: 10_080 }, analyst);
    expect(r.status).toBe('ok');
  });
});
