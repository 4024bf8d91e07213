/**
 * `npm run bench:monitor [-- --sizes 100,300,1000 --interval 60 --intervals 2 --pods 3 --concurrency 4 --port 19491]`:
 * what continuous monitoring costs. N small workspaces (`--pods` pods each, a few with an incident) on a
 * real private Prometheus (backfilled with promtool from the scenario generator, samples reaching 40 min
 * past the start so the 5-minute lookback never empties during the run), two replicas of the real server
 * as separate processes on one Redis (BullMQ) and one PostgreSQL database of their own, every workspace
 * scheduled every `--interval` seconds. Per size: one warm-up interval, then `--intervals` measured ones.
 *
 * Reported per size: evaluations per second (from both replicas' aiops_monitor_evaluations_total) and
 * per CPU-second of the replicas (/proc/<pid>/stat utime+stime), evaluation duration and schedule lag
 * p50/p99 (interpolated in the /metrics histograms), ticks skipped, peak RSS per replica (VmHWM), and
 * Prometheus's own CPU over the same window; then the arithmetic for 10,000 workspaces.
 * Needs `prometheus` and `promtool` (npm test installs them) and TEST_REDIS_URL / TEST_DATABASE_URL
 * (`. /tmp/test-env.sh` or the services npm test starts); everything it starts is stopped and dropped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { findingsWindowQueries } from '../src/analysis/findings/index.js';
import { rsaKey } from '../test/helpers/keys.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : (args[i + 1] ?? fallback);
};
const int = (name: string, fallback: number) => {
  const n = Number(opt(name, String(fallback)));
  if (!Number.isInteger(n) || n < 1) fail(`--${name} needs a positive integer`);
  return n;
};
const SIZES = opt('sizes', '100,300,1000').split(',').map(Number);
const INTERVAL_S = int('interval', 60);
const INTERVALS = int('intervals', 2);
const PODS = int('pods', 3);
const CONCURRENCY = int('concurrency', 4);
const PROM_PORT = int('port', 19491);
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TICKS = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100;

function fail(message: string): never {
  process.stderr.write(`bench:monitor: ${message}\n`);
  process.exit(2);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
};
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

interface Scrape {
  evaluations: number;
  skipped: number;
  duration: Map<number, number>;
  lag: Map<number, number>;
}

async function scrape(port: number): Promise<Scrape> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  const buckets = (name: string) => {
    const out = new Map<number, number>();
    // eslint-disable-next-line security/detect-non-literal-regexp -- `name` is one of our metric names
    for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"[^}]*\\} (\\d+)`, 'gm'))) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      out.set(le, (out.get(le) ?? 0) + Number(m[2]));
    }
    return out;
  };
  return {
    evaluations: sum(/^aiops_monitor_evaluations_total\{[^}]*\} (\d+)/gm),
    skipped: sum(/^aiops_monitor_ticks_skipped_total\{[^}]*\} (\d+)/gm),
    duration: buckets('aiops_monitor_evaluation_duration_seconds'),
    lag: buckets('aiops_monitor_schedule_lag_seconds'),
  };
}

/** A quantile of the difference of two cumulative histograms (linear within the bucket). */
function quantile(before: Map<number, number>, after: Map<number, number>, q: number): number {
  const les = [...after.keys()].sort((a, b) => a - b);
  const counts = les.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [i, le] of les.entries()) {
    if (counts[i]! >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, counts[i]! - prevCount);
    }
    prevLe = le;
    prevCount = counts[i]!;
  }
  return prevLe;
}

async function main(): Promise<void> {
  for (const bin of ['prometheus', 'promtool'])
    if (spawnSync(bin, ['--version']).error) fail(`${bin} is not installed (npm test installs it)`);
  const largest = Math.max(...SIZES);
  const ids = Array.from({ length: largest }, (_, i) => `ws-m${String(i + 1).padStart(5, '0')}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-monitor-'));
  const children: ChildProcess[] = [];
  const dbName = `bench_monitor_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  const prefix = `bench-monitor-${randomUUID()}`;
  try {
    // Every 50th workspace has a memory leak: incidents and investigations are part of the bill.
    const incidents = ids.filter((_, i) => i % 50 === 0).map((id) => `${id}:memory_leak`);
    const scaled = ids.filter((_, i) => i % 50 !== 0).map((id) => `${id}:${PODS}`);
    const t0 = Date.now();
    const end = Math.floor(Date.now() / 1000) + 40 * 60;
    const gen = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/generate-openmetrics.ts',
        '--workspaces',
        incidents.join(','),
        '--scaled',
        scaled.join(','),
        '--hours',
        '1.5',
        '--step',
        '30s',
        '--end',
        String(end),
        '--out',
        join(dir, 'data.om'),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (gen.status !== 0) fail('generating the data failed');
    const blocks = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'tsdb')], {
      stdio: 'ignore',
    });
    if (blocks.status !== 0) fail('promtool could not backfill the data');
    rmSync(join(dir, 'data.om'));
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
    const prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=127.0.0.1:${PROM_PORT}`,
      ],
      { stdio: 'ignore' },
    );
    children.push(prometheus);
    for (let i = 0; ; i++) {
      if (
        await fetch(`http://127.0.0.1:${PROM_PORT}/-/ready`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 300) fail('prometheus did not become ready');
      await sleep(100);
    }
    process.stdout.write(
      `data: ${largest} workspaces × ${PODS} pods (${incidents.length} with a memory leak), 1.5 h at 30 s, ready in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
    );
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const dbUrl = new URL(DATABASE_URL);
    dbUrl.pathname = `/${dbName}`;
    const key = await rsaKey();

    const rows: string[] = [];
    for (const size of SIZES) {
      const replicas = [0, 1].map((r) => {
        const port = PROM_PORT + 10 + r;
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
          env: {
            ...process.env,
            NODE_ENV: 'test',
            LOG_LEVEL: 'warn',
            PORT: String(port),
            HOST: '127.0.0.1',
            JWT_PUBLIC_KEY: key.publicPem,
            AIOPS_DATA_DIR: join(dir, `replica-${size}-${r}`),
            PROMETHEUS_URL: `http://127.0.0.1:${PROM_PORT}`,
            REDIS_URL,
            DATABASE_URL: dbUrl.toString(),
            CLICKHOUSE_URL: 'http://127.0.0.1:59',
            MONITOR_WORKSPACES: ids.slice(0, size).join(','),
            MONITOR_INTERVAL_SECONDS: String(INTERVAL_S),
            MONITOR_CONCURRENCY: String(CONCURRENCY),
            MONITOR_QUEUE_PREFIX: `${prefix}-${size}`,
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        children.push(child);
        return { child, port };
      });
      for (const r of replicas)
        for (let i = 0; ; i++) {
          if (
            await fetch(`http://127.0.0.1:${r.port}/health`).then(
              (x) => x.ok,
              () => false,
            )
          )
            break;
          if (i > 600) fail('a replica did not start');
          await sleep(100);
        }
      await sleep(INTERVAL_S * 1000); // warm-up: the first ticks, caches, JIT
      const before = await Promise.all(replicas.map((r) => scrape(r.port)));
      const cpuBefore = replicas.map((r) => cpuSeconds(r.child.pid!));
      const promBefore = cpuSeconds(prometheus.pid!);
      const started = Date.now();
      await sleep(INTERVALS * INTERVAL_S * 1000);
      const wall = (Date.now() - started) / 1000;
      const after = await Promise.all(replicas.map((r) => scrape(r.port)));
      const cpu = replicas.reduce((n, r, i) => n + cpuSeconds(r.child.pid!) - cpuBefore[i]!, 0);
      const promCpu = cpuSeconds(prometheus.pid!) - promBefore;
      const merged = (pick: (s: Scrape) => Map<number, number>, list: Scrape[]) => {
        const out = new Map<number, number>();
        for (const s of list) for (const [le, n] of pick(s)) out.set(le, (out.get(le) ?? 0) + n);
        return out;
      };
      const evals = after.reduce((n, s, i) => n + s.evaluations - before[i]!.evaluations, 0);
      const skipped = after.reduce((n, s, i) => n + s.skipped - before[i]!.skipped, 0);
      const dur = [merged((s) => s.duration, before), merged((s) => s.duration, after)] as const;
      const lag = [merged((s) => s.lag, before), merged((s) => s.lag, after)] as const;
      const rss = replicas.map((r) => peakRssMb(r.child.pid!).toFixed(0)).join(' / ');
      rows.push(
        `| ${size} | ${(evals / wall).toFixed(1)} (expected ${(size / INTERVAL_S).toFixed(1)}) | ${(evals / cpu).toFixed(1)} | ${(quantile(...dur, 0.5) * 1000).toFixed(0)} / ${(quantile(...dur, 0.99) * 1000).toFixed(0)} | ${(quantile(...lag, 0.5) * 1000).toFixed(0)} / ${(quantile(...lag, 0.99) * 1000).toFixed(0)} | ${skipped} | ${rss} | ${(cpu / wall).toFixed(2)} | ${(promCpu / wall).toFixed(2)} |`,
      );
      process.stdout.write(`${rows.at(-1)}\n`);
      for (const r of replicas) r.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => new Promise((res) => r.child.once('exit', res))));
    }
    const queries = findingsWindowQueries(['anomaly', 'health']).length;
    process.stdout.write(
      `\n${INTERVALS} × ${INTERVAL_S} s measured per size after one interval of warm-up; 2 replicas, MONITOR_CONCURRENCY=${CONCURRENCY}, ${PODS} pods per workspace\n\n` +
        '| workspaces | evaluations/s | evaluations per CPU-second | duration p50 / p99 ms | schedule lag p50 / p99 ms | ticks skipped | peak RSS MB (each) | replicas CPU (cores) | Prometheus CPU (cores) |\n' +
        '|---|---|---|---|---|---|---|---|---|\n' +
        rows.join('\n') +
        `\n\nPer evaluation: ${queries} catalog range queries over the last hour and one shared /api/v1/alerts answer (per 5 s, not per workspace).\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await sleep(500);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
