/**
 * `npm run bench:analyze [-- --runs 5 --port 19191]`: end-to-end latency of POST /workspaces/{id}/analyze
 * in deterministic mode (no LLM configured) for a workspace of 200 pods × 6 h on a real Prometheus.
 *
 * Set-up (not timed): scripts/generate-openmetrics.ts writes ws-bench (scaledWorkspace, 200 pods) and
 * ws-other (memory_leak, so the tenant label really has to filter), 6 h at 30 s ending at the start (the analyses' pinned clock); promtool
 * backfills it into a temp tsdb and a private Prometheus (Debian's 2.42) serves it; it is always stopped.
 * The real app (buildApp, embedded audit, SQLite checkpoints) answers requests through app.inject.
 *
 * How to read it: per analysis_type, the median (min–max) of N runs after one warm-up, with what a run
 * fetched and found. "Prometheus only" is, in the same run, the median time of the run's own planned
 * catalog range queries (tenant-enforced, all in parallel as the app does) sent straight through
 * PrometheusClient: latency minus that is ours (JSON to series, analysers, diagnosis, checkpoints, audit).
 * The query cache TTL is set to its minimum (1 s) so every run really queries Prometheus.
 * "prompt tokens" is compactFindings(findings).estimatedTokens: what the LLM diagnosis prompt would carry.
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
import { enforceTenant } from '../src/metrics/promql/tenant-enforcer.js';
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
const TYPES = ['anomaly', 'performance', 'capacity', 'security'] as const;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const promUrl = `http://127.0.0.1:${PORT}`;
/**
 * The data's end, and the clock of every analysis: runs analyse the same 6 h whenever they run. (Data
 * ending at "now" with the analyses on the wall clock lost its last points to Prometheus's 5-minute
 * lookback as the bench went on, so later runs analysed less than earlier ones.)
 */
const DATA_END_S = Math.floor(Date.now() / 30_000) * 30;

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

async function startPrometheus(): Promise<void> {
  if (
    await fetch(`${promUrl}/-/ready`).then(
      () => true,
      () => false,
    )
  )
    fail(`port ${PORT} is in use: stop what listens there or pass --port`);
  const t0 = performance.now();
  const om = join(dir, 'data.om');
  run(process.execPath, [
    '--import',
    'tsx',
    'scripts/generate-openmetrics.ts',
    '--scaled',
    `ws-bench:${PODS}`,
    '--workspaces',
    'ws-other:memory_leak',
    '--hours',
    '6',
    '--step',
    '30s',
    '--end',
    String(DATA_END_S),
    '--out',
    om,
  ]);
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
      console.log(`set-up: generated, backfilled and started Prometheus in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      return;
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

async function main(): Promise<void> {
  await startPrometheus();
  const key = await rsaKey();
  const app = await buildApp(
    loadConfig({
      NODE_ENV: 'test',
      JWT_PUBLIC_KEY: key.publicPem,
      PROMETHEUS_URL: promUrl,
      AIOPS_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
      ANALYZE_SYNC_WAIT_SECONDS: '300',
      METRICS_CACHE_TTL_SECONDS: '1',
      MONITOR_ENABLED: 'false',
    }),
    { logger: false, now: () => DATA_END_S * 1000 },
  );
  try {
    await app.ready();
    const token = await contractToken(key, { workspaceId: 'ws-bench', permissions: ['aiops:read', 'aiops:analyze'], ttlSeconds: 3600 });
    const analyze = async (type: string, workspace = 'ws-bench') => {
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: `/workspaces/${workspace}/analyze`,
        headers: { authorization: `Bearer ${token}` },
        payload: { analysis_type: type, time_range_minutes: 360 },
      });
      return { ms: performance.now() - t0, code: res.statusCode, body: res.json<RunBody>() };
    };
    const cross = await analyze('anomaly', 'ws-other');
    if (cross.code !== 403) fail(`a ws-bench token analysing ws-other got ${cross.code}, expected 403`);
    const warm = await analyze('anomaly');
    if (warm.code !== 200) fail(`warm-up answered ${warm.code}: ${JSON.stringify(warm.body).slice(0, 500)}`);

    const client = new PrometheusClient({ baseUrl: promUrl });
    const scope = { label: 'workspace_id', workspaceId: 'ws-bench' };
    console.log(
      `POST /workspaces/ws-bench/analyze, ${PODS} pods, time_range_minutes 360, deterministic; median of ${RUNS} runs after 1 warm-up (ms)`,
    );
    console.log(
      '| analysis_type | median ms | min–max ms | Prometheus only ms | ours ms | queries | series | findings | hypotheses | prompt tokens (findings in / total) | uncapped tokens | status |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const type of TYPES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await analyze(type));
      const last = runs.at(-1)!;
      const b = last.body;
      const plan = b.plan ?? fail(`${type}: the run has no plan (${last.code}: ${JSON.stringify(b).slice(0, 300)})`);
      const enforced = plan.queries.map((q) => enforceTenant(catalogPromQL(q.name, q.args), scope));
      const direct: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await Promise.all(enforced.map((q) => client.rangeQuery(q, plan.window.start, plan.window.end, plan.window.step)));
        direct.push(performance.now() - t0);
      }
      const times = runs.map((r) => r.ms);
      const series = /(\d+) series from/.exec(b.progress.find((p) => p.node === 'metrics-query')?.message ?? '')?.[1] ?? '?';
      const compact = compactFindings(b.findings);
      const uncapped = compactFindings(b.findings, { maxTokens: 1e9 });
      const statuses = [...new Set(runs.map((r) => `${r.code} ${r.body.status}`))].join(', ');
      console.log(
        `| ${type} | ${ms(median(times))} | ${ms(Math.min(...times))}–${ms(Math.max(...times))} | ${ms(median(direct))} | ${ms(median(times) - median(direct))} ` +
          `| ${plan.queries.length} | ${series} | ${b.findings.length} | ${b.diagnosis?.hypotheses.length ?? 0} ` +
          `| ${compact.estimatedTokens} (${compact.included} / ${b.findings.length}) | ${uncapped.estimatedTokens} | ${statuses} |`,
      );
      for (const e of b.errors) console.log(`  - ${type} error in ${e.node}: ${e.message}`);
    }
    console.log(`\ntenancy: a ws-bench token analysing ws-other got ${cross.code}; Prometheus also holds ws-other (memory_leak).`);
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)),
);
