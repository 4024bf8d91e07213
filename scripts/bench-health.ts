/**
 * `npm run bench:health [-- --concurrency 4,20 --analyses 100 --max-seconds 120 --window-minutes 1440 --interval-ms 20]`:
 * how fast `GET /health` answers while one tenant floods `POST /analyze`, with the findings analysers on
 * worker threads (ANALYSIS_WORKER_THREADS default: cores − 1, at least 1) and, in the same run, inline on
 * the event loop (ANALYSIS_WORKER_THREADS=0) as the baseline.
 *
 * Each mode is a fresh service process (`--serve`: the real app, listening on a loopback port) over the
 * real test Prometheus when TEST_PROMETHEUS_URL is set (workspace ws-a, 6 h of data; the clock pinned to
 * the end of TEST_PROMETHEUS_WINDOW; `source /work/test-env.sh` or run after `npm test`), otherwise — or
 * with `--source embedded` — over the embedded demo workspaces (ws-demo, about 90 series per analysis),
 * its answers kept in a query cache as the Prometheus source keeps them (JSON text, parsed on every hit):
 * the embedded source generates its demo series on the event loop, which would otherwise be all this
 * measures. Per mode: one warm-up analysis of each type (starts a worker, fills the metrics cache),
 * 1 s of idle /health samples, then the flood — `--analyses` analyses of `--window-minutes`, `--concurrency`
 * at a time (each level of the list in turn: 4 is the default per-replica cap of concurrent analyses, 20 a
 * flood no limit holds back), cycling through the four analysis types, stopped after `--max-seconds` — while /health is
 * sampled every `--interval-ms` from this process and the service measures its own event-loop delay
 * (perf_hooks.monitorEventLoopDelay). The workspace limits (if this build has them) are raised for the
 * service under test: the flood measures the event loop, not the limits.
 *
 * `--profile <dir>` also writes each service's CPU profile of the flood there (open in Chrome DevTools):
 * what the event loop spent its time on.
 *
 * How to read it: /health p50/p99/max over the flood (ms), per mode, and the inline/workers ratios. The
 * analysers are one part of an analysis; what else runs on the event loop (parsing Prometheus answers,
 * checkpoints, the embedded demo source's series generation) is measured with them.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { EmbeddedMetricsSource } from '../src/metrics/embedded/embedded-source.js';
import type { MetricsSource } from '../src/metrics/metrics-source.js';
import { demoWorkspaces } from '../src/metrics/scenarios/index.js';
import { contractToken, rsaKey } from '../test/helpers/keys.js';

const SELF = fileURLToPath(import.meta.url);
const TYPES = ['anomaly', 'performance', 'capacity', 'security'] as const;

function fail(message: string, code = 1): never {
  process.stderr.write(`bench:health: ${message}\n`);
  process.exit(code);
}

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}
type FromService = { port: number } | { loop: LoopDelay; tasks: string };

/** The service under test (a child process): the real app on a loopback port, measuring its event-loop delay on request. */
async function serve(): Promise<void> {
  const nowMs = Number(process.env.BENCH_NOW_MS);
  const config = loadConfig({ MONITOR_ENABLED: 'false', ...process.env });
  const app = await buildApp(config, {
    logger: false,
    now: () => nowMs,
    ...(config.prometheusUrl ? {} : { metricsSource: cachedDemoSource(nowMs) }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  const profileTo = process.env.BENCH_PROFILE;
  const profiler = profileTo ? new Session() : undefined;
  profiler?.connect();
  process.on('message', (message) => {
    if (message === 'start') {
      loop.reset();
      loop.enable();
      void profiler?.post('Profiler.enable').then(() => profiler.post('Profiler.start'));
    } else if (message === 'stop') {
      loop.disable();
      void (
        profiler
          ? profiler.post('Profiler.stop').then(({ profile }) => writeFileSync(profileTo!, JSON.stringify(profile)))
          : Promise.resolve()
      )
        .then(() => app.inject({ url: '/metrics' }))
        .then(async (res) => {
          const tasks = res.body
            .split('\n')
            .filter((l) => l.startsWith('aiops_analysis_tasks_total{'))
            .map((l) => l.replace('aiops_analysis_tasks_total', ''))
            .join(' ');
          const reply: FromService = { loop: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) }, tasks };
          process.send!(reply, () => void app.close().then(() => process.exit(0)));
        });
    }
  });
  process.send!({ port: (app.server.address() as { port: number }).port } satisfies FromService);
}

/** The embedded demo workspaces behind a query cache of JSON text, as PrometheusMetricsSource caches its answers. */
function cachedDemoSource(nowMs: number): MetricsSource {
  const inner = new EmbeddedMetricsSource({ workspaces: demoWorkspaces(), tenantLabel: 'workspace_id', now: () => nowMs });
  const cache = new Map<string, string>();
  return {
    kind: 'embedded',
    async range(ws, query, window) {
      const key = JSON.stringify([ws.workspaceId, query, window]);
      const hit = cache.get(key);
      if (hit !== undefined) return { data: JSON.parse(hit), enforcedQuery: '', cache: 'hit' };
      const result = await inner.range(ws, query, window);
      cache.set(key, JSON.stringify(result.data));
      return result;
    },
    instant: (ws, query, time) => inner.instant(ws, query, time),
    series: () => inner.series(),
    labelValues: () => inner.labelValues(),
    alerts: () => inner.alerts(),
  };
}

function flags(args: string[], name: string, fallback: string): number[] {
  const i = args.indexOf(`--${name}`);
  const list = (i < 0 ? fallback : (args[i + 1] ?? '')).split(',').map(Number);
  if (list.some((n) => !Number.isInteger(n) || n < 1)) fail(`--${name} needs a positive integer (or a comma list)`, 2);
  return list;
}
const flag = (args: string[], name: string, fallback: number) => flags(args, name, String(fallback))[0]!;

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ModeResult {
  name: string;
  idle: number[];
  health: number[];
  healthFailures: number;
  analyses: { ms: number; code: number; status?: string }[];
  floodSeconds: number;
  loop: LoopDelay;
  tasks: string;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const levels = flags(args, 'concurrency', '4,20');
  const total = flag(args, 'analyses', 100);
  const maxSeconds = flag(args, 'max-seconds', 120);
  const windowMinutes = flag(args, 'window-minutes', 1440);
  const intervalMs = flag(args, 'interval-ms', 20);
  if (windowMinutes > 1440) fail('--window-minutes is at most 1440 (POST /analyze accepts 5–1440)', 2);

  const sourceArg = args.includes('--source') ? args[args.indexOf('--source') + 1] : undefined;
  if (sourceArg !== undefined && sourceArg !== 'embedded' && sourceArg !== 'prometheus') fail('--source is embedded or prometheus', 2);
  const promUrl = sourceArg === 'embedded' ? undefined : process.env.TEST_PROMETHEUS_URL;
  if (sourceArg === 'prometheus' && !promUrl) fail('--source prometheus needs TEST_PROMETHEUS_URL (source /work/test-env.sh)', 2);
  const promWindow = process.env.TEST_PROMETHEUS_WINDOW ? (JSON.parse(process.env.TEST_PROMETHEUS_WINDOW) as { endMs: number }) : undefined;
  if (promUrl && !promWindow) fail('TEST_PROMETHEUS_URL is set but TEST_PROMETHEUS_WINDOW is not: `source /work/test-env.sh` sets both', 2);
  const workspace = promUrl ? 'ws-a' : 'ws-demo';
  const nowMs = promWindow?.endMs ?? Date.now();
  const profileDir = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
  if (args.includes('--profile') && !profileDir) fail('--profile needs a directory', 2);
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const key = await rsaKey();
  const token = await contractToken(key, { workspaceId: workspace, permissions: ['aiops:read', 'aiops:analyze'], ttlSeconds: 3600 });
  const threads = Math.max(1, availableParallelism() - 1);
  const dir = mkdtempSync(join(tmpdir(), 'bench-health-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

  console.log(
    `bench:health: ${promUrl ? `Prometheus ${promUrl} (${workspace}, clock at the end of its data)` : `embedded demo metrics behind a query cache (${workspace})`}, ` +
      `${availableParallelism()} cores; ${total} analyses of ${windowMinutes} min per mode, ${levels.join(' then ')} at a time (at most ${maxSeconds} s); /health every ${intervalMs} ms\n`,
  );
  for (const concurrency of levels) {
    const results: ModeResult[] = [];
    for (const [mode, workerThreads] of [
      [`workers (${threads} thread${threads === 1 ? '' : 's'})`, String(threads)],
      ['inline (ANALYSIS_WORKER_THREADS=0)', '0'],
    ] as const) {
      results.push(
        await measure(`${mode}, ${concurrency} at a time`, concurrency, {
          NODE_ENV: 'test',
          LOG_LEVEL: 'silent',
          JWT_PUBLIC_KEY: key.publicPem,
          AIOPS_DATA_DIR: join(dir, `${concurrency}-${workerThreads}`),
          ANALYSIS_WORKER_THREADS: workerThreads,
          ANALYZE_SYNC_WAIT_SECONDS: '300',
          ANALYSIS_TIMEOUT_SECONDS: String(maxSeconds + 60),
          LIMITS_SHARED: 'analyze_per_minute=1000000,analyze_per_minute_per_user=1000000,concurrent_analyses=100000',
          LIMITS_ANALYSES_PER_REPLICA: '1000',
          BENCH_NOW_MS: String(nowMs),
          ...(promUrl ? { PROMETHEUS_URL: promUrl } : {}),
          ...(profileDir
            ? { BENCH_PROFILE: join(profileDir, `${workerThreads === '0' ? 'inline' : 'workers'}-${concurrency}.cpuprofile`) }
            : {}),
        }),
      );
    }
    report(results);
  }

  async function measure(name: string, concurrency: number, env: Record<string, string>): Promise<ModeResult> {
    const child: ChildProcess = fork(SELF, ['--serve'], {
      execArgv: ['--import', 'tsx'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    const stopChild = () => child.kill();
    process.on('exit', stopChild); // a failure here must not leave the service running
    const messages: FromService[] = [];
    let wake: (() => void) | undefined;
    child.on('message', (m) => {
      messages.push(m as FromService);
      wake?.();
    });
    child.on('exit', (code) => {
      if (code !== 0) fail(`the service (${name}) exited with code ${code}`);
    });
    const next = async <T extends FromService>(): Promise<T> => {
      while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return messages.shift() as T;
    };
    const { port } = await next<{ port: number }>();
    const base = `http://127.0.0.1:${port}`;
    const analyze = async (i: number) => {
      const t0 = performance.now();
      const res = await fetch(`${base}/workspaces/${workspace}/analyze`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ analysis_type: TYPES[i % TYPES.length], time_range_minutes: windowMinutes }),
      });
      const body = (await res.json()) as { status?: string };
      return { ms: performance.now() - t0, code: res.status, ...(body.status ? { status: body.status } : {}) };
    };
    for (let i = 0; i < TYPES.length; i++) {
      const warm = await analyze(i);
      if (warm.code !== 200) fail(`the warm-up analysis (${name}) answered ${warm.code}`);
    }

    const health: number[] = [];
    let healthFailures = 0;
    let sampling = true;
    const sampler = async (into: number[]) => {
      while (sampling) {
        const t0 = performance.now();
        const ok = await fetch(`${base}/health`).then(
          async (r) => (await r.arrayBuffer(), r.ok),
          () => false,
        );
        const ms = performance.now() - t0;
        if (ok) into.push(ms);
        else healthFailures++;
        await sleep(Math.max(0, intervalMs - ms));
      }
    };
    const idle: number[] = [];
    const idleSampling = sampler(idle);
    await sleep(1000);
    sampling = false;
    await idleSampling;

    child.send('start');
    sampling = true;
    const healthSampling = sampler(health);
    const started = performance.now();
    const deadline = started + maxSeconds * 1000;
    const analyses: ModeResult['analyses'] = [];
    let issued = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (issued < total && performance.now() < deadline) analyses.push(await analyze(issued++));
      }),
    );
    const floodSeconds = (performance.now() - started) / 1000;
    sampling = false;
    await healthSampling;
    child.send('stop');
    const { loop, tasks } = await next<{ loop: LoopDelay; tasks: string }>();
    await new Promise((resolve) => child.once('exit', resolve));
    process.off('exit', stopChild);
    console.log(`${name}: ${analyses.length} analyses in ${floodSeconds.toFixed(1)} s; /health ${health.length} samples`);
    return { name, idle, health, healthFailures, analyses, floodSeconds, loop, tasks };
  }
}

function report(results: ModeResult[]): void {
  console.log(
    '\n| mode | analyses (200 / other) | analysis median s | /health idle p50 ms | /health p50 ms | p99 ms | max ms | failed | event-loop delay p50 / p99 / max ms | analyser tasks |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of results) {
    const ok = r.analyses.filter((a) => a.code === 200).length;
    console.log(
      `| ${r.name} | ${ok} / ${r.analyses.length - ok} | ${fmt(
        quantile(
          r.analyses.map((a) => a.ms),
          0.5,
        ) / 1000,
      )} | ${fmt(quantile(r.idle, 0.5))} ` +
        `| ${fmt(quantile(r.health, 0.5))} | ${fmt(quantile(r.health, 0.99))} | ${fmt(Math.max(...r.health))} | ${r.healthFailures} ` +
        `| ${fmt(r.loop.p50)} / ${fmt(r.loop.p99)} / ${fmt(r.loop.max)} | ${r.tasks || '–'} |`,
    );
  }
  const [workers, inline] = results;
  if (workers && inline) {
    const ratio = (q: number) => fmt(quantile(inline.health, q) / quantile(workers.health, q));
    console.log(
      `\ninline / workers: /health p50 ×${ratio(0.5)}, p99 ×${ratio(0.99)}, max ×${fmt(Math.max(...inline.health) / Math.max(...workers.health))}; ` +
        `event-loop delay p99 ×${fmt(inline.loop.p99 / workers.loop.p99)}`,
    );
    const statuses = (r: ModeResult) => {
      const counts = new Map<string, number>();
      for (const a of r.analyses) counts.set(a.status ?? `HTTP ${a.code}`, (counts.get(a.status ?? `HTTP ${a.code}`) ?? 0) + 1);
      return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
    };
    console.log(`run statuses: workers ${statuses(workers)}; inline ${statuses(inline)}\n`);
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
