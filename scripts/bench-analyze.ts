/**
 * `npm run bench:analyze [-- --runs 5 --port 19191 --types capacity,security]`: end-to-end latency of POST /workspaces/{id}/analyze
 * in deterministic mode (no LLM configured) for a workspace of 200 pods × 6 h on a real Prometheus.
 *
 * Set-up (not timed): scripts/generate-openmetrics.ts writes ws-bench (scaledWorkspace, 200 pods) and
 * ws-other (memory_leak, so the tenant label really has to filter), 6 h at 30 s ending at the start (and
 * DATA_MARGIN_HOURS more before, so the 6-h window's first points and their rate() ranges have data); promtool
 * backfills it into a temp tsdb and a private Prometheus (Debian's 2.42) serves it; it is always stopped.
 * The real app (buildApp, embedded audit, SQLite checkpoints) answers requests through app.inject.
 *
 * Same data in every run: the app's clock (`now`, hence every request's endTime) is pinned to the end of
 * the generated data as the generator reports it, so every run plans the same window and the wall clock
 * (a slow machine, a late run) cannot move it; the bench checks every run's plan has that one window, ending
 * within Prometheus's 5-minute lookback of the data's end. The query cache is the production one (an
 * in-process LRU) but its clock jumps an hour between runs, so a pinned window never turns a run into a
 * cache hit: every run pays the whole miss (Prometheus, lookup, store).
 *
 * How to read it: per analysis_type, the median (min–max) of N runs after one warm-up, with what a run
 * fetched and found; "series per run" lists each run's fetched series (identical = the runs analysed the
 * same data). "Prometheus only" is the median time of the same planned catalog range queries over the
 * same window sent straight through PrometheusClient (tenant-enforced, all in parallel as the app does),
 * right after each run: latency minus that is ours (JSON to series, cache store, analysers, diagnosis,
 * checkpoints, audit), and "ours / Prometheus only" its ratio to the baseline. "prompt tokens" is compactFindings(findings).estimatedTokens: what the LLM
 * diagnosis prompt would carry.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { compactFindings } from '../src/analysis/diagnose/compact.js';
import type { AnalysisPlan, Finding } from '../src/analysis/types.js';
import { PrometheusClient } from '../src/clients/prometheus.js';
import { loadConfig } from '../src/config.js';
import { catalogPromQL } from '../src/metrics/catalog/catalog.js';
import { PrometheusMetricsSource } from '../src/metrics/prometheus-source.js';
import { enforceTenant } from '../src/metrics/promql/tenant-enforcer.js';
import { LruQueryCache } from '../src/metrics/query-cache.js';
import type { RangeWindow } from '../src/metrics/query-window.js';
import { contractToken, rsaKey } from '../test/helpers/keys.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  const n = i < 0 ? fallback : Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} needs a positive integer`, 2);
  return n;
};
const RUNS = flag('runs', 5);
const PORT = flag('port', 19191);
const PODS = 200;
const ALL_TYPES = ['anomaly', 'performance', 'capacity', 'security'] as const;
/** `--types capacity,security`: only these analysis types (all by default). */
const TYPES = (() => {
  const i = args.indexOf('--types');
  if (i < 0) return ALL_TYPES;
  const picked = String(args[i + 1]).split(',');
  for (const t of picked) if (!(ALL_TYPES as readonly string[]).includes(t)) fail(`--types: unknown analysis type ${t}`, 2);
  return ALL_TYPES.filter((t) => picked.includes(t));
})();
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const promUrl = `http://127.0.0.1:${PORT}`;
/**
 * Data before the analysis window: its end is aligned down to the step (up to a minute before the data's
 * end), so without a margin its first point, and the 5-minute rate() ranges of its first points, would fall
 * before the data and how much a run sees would depend on where the bench started within the minute.
 */
const DATA_MARGIN_HOURS = 0.25;
/** Prometheus's default lookback: a window ending further than this after the data's last sample loses points. */
const LOOKBACK_S = 300;

function fail(message: string, code = 1): never {
  process.stderr.write(`bench:analyze: ${message}\n`);
  process.exit(code);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(0);

for (const bin of ['prometheus', 'promtool']) {
  if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).error) {
    fail(`${bin} is not installed: run \`npm test\` once (it installs it) or \`apt-get install prometheus\``, 2);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-analyze-'));
let prometheus: ChildProcess | undefined;
const cleanup = () => {
  prometheus?.kill('SIGTERM');
  prometheus = undefined;
  rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

function run(cmd: string, argv: string[]): string {
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 16 << 20 });
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} failed:\n${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** What generate-openmetrics printed: the sampled window, in Unix milliseconds. */
interface DataWindow {
  startMs: number;
  endMs: number;
  stepMs: number;
}

/** Generates, backfills and serves the data; answers the window the generator sampled. */
async function startPrometheus(): Promise<DataWindow> {
  if (
    await fetch(`${promUrl}/-/ready`).then(
      () => true,
      () => false,
    )
  )
    fail(`port ${PORT} is in use: stop what listens there or pass --port`);
  const t0 = performance.now();
  const om = join(dir, 'data.om');
  const generated = run(process.execPath, [
    '--import',
    'tsx',
    'scripts/generate-openmetrics.ts',
    '--scaled',
    `ws-bench:${PODS}`,
    '--workspaces',
    'ws-other:memory_leak',
    '--hours',
    String(6 + DATA_MARGIN_HOURS),
    '--step',
    '30s',
    '--end',
    'now',
    '--out',
    om,
  ]);
  const data = JSON.parse(generated.trim().split('\n').at(-1) ?? '') as DataWindow;
  if (!Number.isFinite(data.endMs)) fail(`generate-openmetrics printed no window: ${generated.slice(0, 300)}`);
  run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, join(dir, 'tsdb')]);
  rmSync(om);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      '--storage.tsdb.retention.time=30d',
      `--web.listen-address=127.0.0.1:${PORT}`,
    ],
    { stdio: 'ignore' },
  );
  prometheus.on('exit', (code) => {
    if (prometheus) fail(`prometheus exited early (code ${code})`);
  });
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${promUrl}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      console.log(`set-up: generated, backfilled and started Prometheus in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return data;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  fail('prometheus did not become ready within 30 s');
}

interface RunBody {
  status: string;
  plan: AnalysisPlan | null;
  findings: Finding[];
  diagnosis: { hypotheses: unknown[] } | null;
  progress: { node: string; message: string }[];
  errors: { node: string; message: string }[];
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
const sameWindow = (a: RangeWindow, b: RangeWindow) => a.start === b.start && a.end === b.end && a.step === b.step;
/** `5400 ×3` when every run agrees, else each run's count: what a reader checks for "the same data". */
const perRun = (xs: (number | string)[]) => (new Set(xs).size === 1 ? `${xs[0]} ×${xs.length}` : xs.join(' / '));

async function main(): Promise<void> {
  const data = await startPrometheus();
  /** The clock of every analysis: the data's last sample, so each run's window ends on data whenever it runs. */
  const dataEndMs = data.endMs;
  const key = await rsaKey();
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_PUBLIC_KEY: key.publicPem,
    PROMETHEUS_URL: promUrl,
    AIOPS_DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'silent',
    ANALYZE_SYNC_WAIT_SECONDS: '300',
    MONITOR_ENABLED: 'false',
    // The limiter still runs in every request, but a fast machine must not meet the shared plan's 10 analyses a minute.
    LIMITS_SHARED: 'analyze_per_minute=1000000,analyze_per_minute_per_user=1000000',
  });
  // The production data layer (src/wiring/metrics-source.ts without Redis), with the cache's clock in our
  // hands: jumping it past every TTL between runs makes each run a full miss, though all share one window.
  let cacheSkewMs = 0;
  const cacheHits = { count: 0 };
  const metricsSource = new PrometheusMetricsSource({
    client: new PrometheusClient({
      baseUrl: promUrl,
      timeoutMs: config.metrics.timeoutMs,
      maxResponseBytes: config.metrics.limits.maxResponseBytes,
    }),
    tenantLabel: config.metrics.tenantLabel,
    cache: new LruQueryCache(undefined, undefined, () => Date.now() + cacheSkewMs),
    cacheTtlSeconds: config.metrics.cacheTtlSeconds,
    onCache: (outcome) => {
      if (outcome === 'hit') cacheHits.count++;
    },
    bounds: config.metrics.limits,
  });
  const expireCache = () => {
    cacheSkewMs += 3_600_000 + config.metrics.cacheTtlSeconds * 10_000; // past the settled TTL (10× the TTL) too
  };
  const app = await buildApp(config, { logger: false, now: () => dataEndMs, metricsSource });
  try {
    await app.ready();
    const token = await contractToken(key, { workspaceId: 'ws-bench', permissions: ['aiops:read', 'aiops:analyze'], ttlSeconds: 3600 });
    const analyze = async (type: string, workspace = 'ws-bench') => {
      expireCache();
      const hitsBefore = cacheHits.count;
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: `/workspaces/${workspace}/analyze`,
        headers: { authorization: `Bearer ${token}` },
        payload: { analysis_type: type, time_range_minutes: 360 },
      });
      const ms = performance.now() - t0;
      const body = res.json<RunBody>();
      const series = Number(
        /(\d+) series from/.exec((body.progress ?? []).find((p) => p.node === 'metrics-query')?.message ?? '')?.[1] ?? NaN,
      );
      return { ms, code: res.statusCode, body, series, cacheHits: cacheHits.count - hitsBefore };
    };
    const cross = await analyze('anomaly', 'ws-other');
    if (cross.code !== 403) fail(`a ws-bench token analysing ws-other got ${cross.code}, expected 403`);
    const warm = await analyze('anomaly');
    if (warm.code !== 200) fail(`warm-up answered ${warm.code}: ${JSON.stringify(warm.body).slice(0, 500)}`);
    // Every run must plan this window (checked below): the one the "Prometheus only" baseline queries too.
    const window = warm.body.plan?.window ?? fail(`the warm-up has no plan: ${JSON.stringify(warm.body).slice(0, 300)}`);
    const dataEndS = dataEndMs / 1000;
    if (window.end > dataEndS || window.end <= dataEndS - LOOKBACK_S) {
      fail(`the window ends at ${iso(window.end)}, not within ${LOOKBACK_S} s before the data's end ${iso(dataEndS)}`);
    }
    console.log(
      `data: ${iso(data.startMs / 1000)} – ${iso(dataEndS)} every ${data.stepMs / 1000} s; ` +
        `every run's window: ${iso(window.start)} – ${iso(window.end)} step ${window.step} s (the app's clock pinned to the data's end)\n`,
    );

    const client = new PrometheusClient({ baseUrl: promUrl });
    const scope = { label: 'workspace_id', workspaceId: 'ws-bench' };
    console.log(
      `POST /workspaces/ws-bench/analyze, ${PODS} pods, time_range_minutes 360, deterministic; median of ${RUNS} runs after 1 warm-up (ms)`,
    );
    console.log(
      '| analysis_type | median ms | min–max ms | Prometheus only ms | ours ms | ours / Prometheus only | queries | series per run | Prometheus only series (points) per run | findings | hypotheses | prompt tokens (findings in / total) | uncapped tokens | status |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const type of TYPES) {
      // Each run is followed by its baseline (the same queries, the same window, straight to Prometheus), so
      // a machine whose load drifts during the bench weighs on both sides alike.
      const runs = [];
      const direct: number[] = [];
      const directSeries: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = await analyze(type);
        const plan = r.body.plan ?? fail(`${type}: the run has no plan (${r.code}: ${JSON.stringify(r.body).slice(0, 300)})`);
        if (!sameWindow(plan.window, window)) fail(`${type}: a run planned ${JSON.stringify(plan.window)}, not ${JSON.stringify(window)}`);
        if (r.cacheHits > 0) fail(`${type}: a run hit the query cache ${r.cacheHits} times: its time would not include Prometheus`);
        runs.push(r);
        const enforced = plan.queries.map((q) => enforceTenant(catalogPromQL(q.name, q.args), scope));
        const t0 = performance.now();
        const answers = await Promise.all(enforced.map((q) => client.rangeQuery(q, window.start, window.end, window.step)));
        direct.push(performance.now() - t0);
        const matrices = answers.flatMap((a) => a.result as { values?: unknown[] }[]);
        directSeries.push(`${matrices.length} (${matrices.reduce((n, m) => n + (m.values?.length ?? 0), 0)})`);
      }
      const b = runs.at(-1)!.body;
      const plan = b.plan!;
      const times = runs.map((r) => r.ms);
      const compact = compactFindings(b.findings);
      const uncapped = compactFindings(b.findings, { maxTokens: 1e9 });
      const statuses = [...new Set(runs.map((r) => `${r.code} ${r.body.status}`))].join(', ');
      const ours = median(times) - median(direct);
      console.log(
        `| ${type} | ${ms(median(times))} | ${ms(Math.min(...times))}–${ms(Math.max(...times))} | ${ms(median(direct))} | ${ms(ours)} ` +
          `| ${(ours / median(direct)).toFixed(2)} | ${plan.queries.length} | ${perRun(runs.map((r) => r.series))} | ${perRun(directSeries)} ` +
          `| ${b.findings.length} | ${b.diagnosis?.hypotheses.length ?? 0} ` +
          `| ${compact.estimatedTokens} (${compact.included} / ${b.findings.length}) | ${uncapped.estimatedTokens} | ${statuses} |`,
      );
      for (const e of b.errors) console.log(`  - ${type} error in ${e.node}: ${e.message}`);
    }
    console.log(`\ntenancy: a ws-bench token analysing ws-other got ${cross.code}; Prometheus also holds ws-other (memory_leak).`);
    console.log('query cache: no timed run hit it (its clock jumps past every TTL between runs).');
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)),
);
