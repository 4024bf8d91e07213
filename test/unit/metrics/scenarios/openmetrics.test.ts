/**
 * OpenMetrics output: exact text for small inputs, a structural parse of full output, the real promtool
 * backfill (it must ingest every sample; a missing promtool fails the test), the CLI script, and speed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  demoWorkspaces,
  generateSeries,
  scenarioWorkspace,
  writeOpenMetrics,
  type RawSeries,
} from '../../../../src/metrics/scenarios/index.js';
import { END, HOUR, WINDOW_6H } from './helpers.js';

const ROOT = join(import.meta.dirname, '../../../..');
const work = mkdtempSync(join(tmpdir(), 'aiops-om-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function render(series: RawSeries[]): string {
  let text = '';
  writeOpenMetrics(series, (chunk) => {
    text += chunk;
  });
  return text;
}

function findPromtool(): string | undefined {
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter)];
  return dirs.map((d) => join(d, 'promtool')).find((p) => existsSync(p));
}

/** Runs the real backfill and returns the total NUM SAMPLES over the blocks it created. */
function promtoolSamples(file: string): number {
  const promtool = findPromtool();
  expect(promtool, 'promtool is required (apt-get install prometheus); this test never skips').toBeDefined();
  const out = join(work, `tsdb-${Math.random().toString(36).slice(2)}`);
  const stdout = execFileSync(promtool!, ['tsdb', 'create-blocks-from', 'openmetrics', file, out], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const rows = stdout.split('\n').filter((l) => /^[0-9A-Z]{26}\s/.test(l));
  expect(rows.length).toBeGreaterThan(0);
  return rows.reduce((sum, row) => sum + Number(row.trim().split(/\s+/)[4]), 0);
}

interface Parsed {
  samples: number;
  series: Set<string>;
  families: string[];
}

/** A strict reading of the format the writer promises; returns what it found or throws on the first problem. */
function parseOpenMetrics(text: string): Parsed {
  expect(text.endsWith('# EOF\n')).toBe(true);
  const lines = text.slice(0, -'# EOF\n'.length).split('\n');
  expect(lines.pop()).toBe('');
  const families: string[] = [];
  const seenSeries = new Set<string>();
  let family = '';
  let type = '';
  let current = '';
  let lastTs = Number.NEGATIVE_INFINITY;
  let samples = 0;
  for (const line of lines) {
    if (line.startsWith('# HELP ')) {
      family = line.slice(7, line.indexOf(' ', 7));
      if (families.includes(family)) throw new Error(`family ${family} is not contiguous`);
      families.push(family);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, t] = line.slice(7).split(' ');
      if (name !== family) throw new Error(`TYPE for ${name} after HELP for ${family}`);
      type = t!;
      continue;
    }
    if (line.startsWith('#')) throw new Error(`unexpected comment ${line}`);
    const sp2 = line.lastIndexOf(' ');
    const sp1 = line.lastIndexOf(' ', sp2 - 1);
    const id = line.slice(0, sp1);
    const value = Number(line.slice(sp1 + 1, sp2));
    const ts = Number(line.slice(sp2 + 1));
    if (!Number.isFinite(value) || !Number.isFinite(ts)) throw new Error(`bad sample ${line}`);
    const brace = id.indexOf('{');
    const name = brace < 0 ? id : id.slice(0, brace);
    const allowed =
      type === 'counter' ? [`${family}_total`] : type === 'histogram' ? [`${family}_bucket`, `${family}_sum`, `${family}_count`] : [family];
    if (!allowed.includes(name)) throw new Error(`${name} in family ${family} (${type})`);
    if (id !== current) {
      if (seenSeries.has(id)) throw new Error(`series ${id} is not contiguous`);
      seenSeries.add(id);
      current = id;
      lastTs = Number.NEGATIVE_INFINITY;
    }
    if (!(ts > lastTs)) throw new Error(`samples of ${id} not ascending at ${ts}`);
    lastTs = ts;
    samples++;
  }
  return { samples, series: seenSeries, families };
}

describe('writeOpenMetrics', () => {
  const series = (metric: string, type: 'counter' | 'gauge', labels: Record<string, string>, points: [number, number][]): RawSeries => ({
    metric,
    type,
    help: `help for ${metric}`,
    labels,
    times: Float64Array.from(points.map((p) => p[0])),
    values: Float64Array.from(points.map((p) => p[1])),
  });

  it('writes HELP/TYPE once per family, series after series, unix seconds, final # EOF', () => {
    const text = render([
      series('requests_total', 'counter', { a: 'x' }, [
        [1_700_000_000_000, 1],
        [1_700_000_030_500, 2.5],
      ]),
      series('temperature', 'gauge', {}, [[1_700_000_000_000, 0.25]]),
      series('requests_total', 'counter', { a: 'y' }, [[1_700_000_000_000, 7]]),
      series('lat_bucket', 'counter', { le: '0.1' }, [[1_700_000_000_000, 3]]),
      series('lat_bucket', 'counter', { le: '+Inf' }, [[1_700_000_000_000, 4]]),
      series('lat_count', 'counter', {}, [[1_700_000_000_000, 4]]),
      series('lat_sum', 'counter', {}, [[1_700_000_000_000, 0.3]]),
    ]);
    expect(text).toBe(
      [
        '# HELP requests help for requests_total',
        '# TYPE requests counter',
        'requests_total{a="x"} 1 1700000000',
        'requests_total{a="x"} 2.5 1700000030.5',
        'requests_total{a="y"} 7 1700000000',
        '# HELP temperature help for temperature',
        '# TYPE temperature gauge',
        'temperature 0.25 1700000000',
        '# HELP lat help for lat_bucket',
        '# TYPE lat histogram',
        'lat_bucket{le="0.1"} 3 1700000000',
        'lat_bucket{le="+Inf"} 4 1700000000',
        'lat_count 4 1700000000',
        'lat_sum 0.3 1700000000',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and help text', () => {
    const s = series('g', 'gauge', { v: 'a"b\\c\nd' }, [[1000, 1]]);
    s.help = 'line1\nline2 \\ end';
    expect(render([s])).toBe('# HELP g line1\\nline2 \\\\ end\n# TYPE g gauge\ng{v="a\\"b\\\\c\\nd"} 1 1\n# EOF\n');
  });

  it('refuses samples out of time order, and writes # EOF for no series', () => {
    expect(() =>
      render([
        series('g', 'gauge', {}, [
          [2000, 1],
          [1000, 2],
        ]),
      ]),
    ).toThrow(/ascending/);
    expect(render([])).toBe('# EOF\n');
  });

  it('demo workspaces (6 h at 30 s) parse cleanly and promtool backfills every sample', () => {
    const all = demoWorkspaces().flatMap((w) => generateSeries(w, WINDOW_6H));
    const text = render(all);
    const parsed = parseOpenMetrics(text);
    expect(parsed.series.size).toBe(all.length);
    expect(parsed.samples).toBe(all.reduce((n, s) => n + s.times.length, 0));
    expect(parsed.families).toContain('http_request_duration_seconds');
    const file = join(work, 'demo.om');
    writeFileSync(file, text);
    expect(promtoolSamples(file)).toBe(parsed.samples);
  });
});

describe('scripts/generate-openmetrics.ts', () => {
  const script = join(ROOT, 'scripts/generate-openmetrics.ts');
  const run = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8' });

  it('writes the named workspaces, prints the window, and the file backfills', () => {
    const file = join(work, 'cli.om');
    const endSeconds = END / 1000;
    const result = run([
      '--workspaces',
      'ws-a:memory_leak+egress_spike,ws-c:',
      '--hours',
      '2',
      '--step',
      '1m',
      '--end',
      String(endSeconds),
      '--out',
      file,
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ startMs: END - 2 * HOUR, endMs: END, stepMs: 60_000 });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('workspace_id="ws-a"');
    expect(text).toContain('workspace_id="ws-c"');
    expect(text).not.toContain('workspace_id="ws-demo"');
    const parsed = parseOpenMetrics(text);
    expect(promtoolSamples(file)).toBe(parsed.samples);
    const expected = [scenarioWorkspace('ws-a', ['memory_leak', 'egress_spike']), scenarioWorkspace('ws-c', [])].flatMap((w) =>
      generateSeries(w, { startMs: END - 2 * HOUR, endMs: END, stepMs: 60_000 }),
    );
    expect(text).toBe(render(expected));
  });

  it('--demo with --end now: a step-aligned window ending about now', () => {
    const file = join(work, 'demo-cli.om');
    const before = Date.now();
    const result = run(['--demo', '--hours', '1', '--step', '30s', '--end', 'now', '--out', file]);
    expect(result.status).toBe(0);
    const window = JSON.parse(result.stdout) as { startMs: number; endMs: number; stepMs: number };
    expect(window.stepMs).toBe(30_000);
    expect(window.endMs % 30_000).toBe(0);
    expect(window.endMs).toBeGreaterThan(before - 31_000);
    expect(window.endMs - window.startMs).toBe(HOUR);
    const text = readFileSync(file, 'utf8');
    for (const id of ['ws-demo', 'ws-acme', 'ws-healthy']) expect(text).toContain(`workspace_id="${id}"`);
  });

  it('rejects unknown incidents and missing arguments with exit code 2', () => {
    const bad = run(['--workspaces', 'ws-a:meltdown', '--out', join(work, 'x.om')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown incident "meltdown"');
    expect(run(['--workspaces', 'ws-a:']).status).toBe(2);
    expect(run(['--out', join(work, 'y.om')]).status).toBe(2);
  });
});
