/**
 * `npm run bench:http [-- --rounds 5 --seconds 5 --connections 20]`: throughput and latency of the cheap
 * guarded routes against a bare Fastify route that only verifies the same RS256 token (the ceiling of
 * any guarded route: parse, verify, answer), side by side in one run.
 *
 * The service under test is a child process (`--serve`) so the load generator (autocannon, in this
 * process) does not share its event loop: the real app in embedded mode (SQLite stores, the audit
 * spool under a temp AIOPS_DATA_DIR, the demo workspaces) on one port, the bare route on another. The
 * monitor evaluates ws-demo once before the measurement (MONITOR_FOR_EVALUATIONS=1), so GET /alerts
 * reads real stored alerts. The plan limits are raised: this measures the routes, not the limits.
 * Targets take turns within each round (the order rotates), so the machine's noise hits all of them.
 *
 * How to read it: per target, the median over rounds of requests/s, p50 and p99 latency (ms), the
 * service process's CPU time per request (µs; steadier than req/s when the machine is shared), and the
 * ratio of requests/s to the bare verified route of the same run. Non-2xx answers are counted and
 * make the run fail (a 429 or 5xx would make a fast route look fast).
 *
 * `--clickhouse` ships the audit trail to a private clickhouse-server (as in production) instead of the
 * embedded chDB, whose inserts and merges run in the service process and count as its CPU.
 * `AUDIT_*` variables in the environment reach the service's config (e.g. `AUDIT_SHIP_INTERVAL_MS=1000
 * AUDIT_BATCH_MAX_EVENTS=10000` to see what bigger, rarer audit inserts buy: within noise in session 10).
 * `--only <text>` measures only the targets whose name contains it (the bare route always runs);
 * `--cpu-prof` profiles the service process and prints where its CPU went (self time, top functions).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { importSPKI, jwtVerify } from 'jose';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_PLAN_LIMITS } from '../src/limits/plan-limits.js';
import { ClickHouseServer } from '../test/helpers/clickhouse-server.js';
import { contractToken, rsaKey, type RsaKey } from '../test/helpers/keys.js';

const SELF = fileURLToPath(import.meta.url);
const WS = 'ws-demo';
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  const n = i < 0 ? fallback : Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} needs a positive integer`);
  return n;
};

function fail(message: string): never {
  process.stderr.write(`bench:http: ${message}\n`);
  process.exit(2);
}

const generous = (plan: keyof typeof DEFAULT_PLAN_LIMITS) =>
  Object.keys(DEFAULT_PLAN_LIMITS[plan])
    .map((k) => `${k}=1000000`)
    .join(',');

/** The child: the real app and the bare verified route, each on its own loopback port. */
async function serve(): Promise<void> {
  const key = JSON.parse(process.env.BENCH_KEY!) as RsaKey;
  const dir = process.env.BENCH_DIR!;
  const app = await buildApp(
    loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JWT_PUBLIC_KEY: key.publicPem,
      AIOPS_DATA_DIR: dir,
      LIMITS_SHARED: generous('shared'),
      LIMITS_DEDICATED: generous('dedicated'),
      MONITOR_ENABLED: 'true',
      MONITOR_WORKSPACES: WS,
      MONITOR_FOR_EVALUATIONS: '1',
      MONITOR_INTERVAL_SECONDS: '3600',
      ...(process.env.BENCH_CLICKHOUSE_URL ? { CLICKHOUSE_URL: process.env.BENCH_CLICKHOUSE_URL } : {}),
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AUDIT_'))),
    }),
    { logger: false },
  );
  const appUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const publicKey = await importSPKI(key.publicPem, 'RS256');
  const bare = Fastify({ logger: false });
  bare.get('/workspaces/:workspace_id/bare', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    try {
      const { payload } = await jwtVerify(header.slice(7), publicKey, {
        algorithms: ['RS256'],
        issuer: 'hexabase-control-plane',
        audience: 'hexabase-aiops',
      });
      return { sub: payload.sub, workspace_id: payload.workspace_id };
    } catch {
      return reply.code(401).send({ error: 'unauthorized' });
    }
  });
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
  process.send!({ appUrl, bareUrl });
  // Event-loop delay (a stall makes every request waiting behind it late: the p99), reset with each CPU reading.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  process.on('message', (m) => {
    if (m === 'cpu') {
      process.send!({ cpu: process.cpuUsage(), loopMaxMs: loopDelay.max / 1e6, loopP99Ms: loopDelay.percentile(99) / 1e6 });
      return void loopDelay.reset();
    }
    void Promise.all([app.close(), bare.close()]).then(() => process.exit(0));
  });
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** The service process's CPU time (user + system) per answered request, µs: steadier than req/s on a busy machine. */
  cpuUs: number;
  /** The service's event-loop delay during the load (ms): its 99th percentile and its longest stall. */
  loopP99Ms: number;
  loopMaxMs: number;
  requests: number;
}

type Load = Omit<Sample, 'cpuUs' | 'loopP99Ms' | 'loopMaxMs'>;

function load(url: string, token: string | undefined, seconds: number, connections: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, headers: token ? { authorization: `Bearer ${token}` } : {} }, (err, result) => {
      if (err) return reject(err);
      resolve({
        rps: result.requests.average,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx + result.errors,
        requests: result.requests.total,
      });
    });
  });
}

/** The service process's CPU time so far (µs) and its event-loop delay since the last reading, asked over the IPC channel. */
function serviceCpu(child: ChildProcess): Promise<{ cpuUs: number; loopP99Ms: number; loopMaxMs: number }> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      const reading = m as { cpu?: NodeJS.CpuUsage; loopP99Ms: number; loopMaxMs: number };
      if (!reading.cpu) return;
      child.off('message', onMessage);
      resolve({ cpuUs: reading.cpu.user + reading.cpu.system, loopP99Ms: reading.loopP99Ms, loopMaxMs: reading.loopMaxMs });
    };
    child.on('message', onMessage);
    child.send('cpu');
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const rounds = flag('rounds', 5);
  const seconds = flag('seconds', 5);
  const connections = flag('connections', 20);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const key = await rsaKey();
  const token = await contractToken(key, { workspaceId: WS, permissions: ['aiops:read'], ttlSeconds: 3600 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-http-'));
  const profileDir = args.includes('--cpu-prof') ? mkdtempSync(join(tmpdir(), 'bench-http-prof-')) : undefined;
  // --clickhouse: the audit trail ships to a private clickhouse-server over HTTP, as in production, instead of
  // the embedded chDB (whose inserts and merges run inside the service process and count as its CPU).
  const clickhouse = args.includes('--clickhouse')
    ? await ClickHouseServer.create(mkdtempSync(join(tmpdir(), 'bench-http-ch-')))
    : undefined;
  await clickhouse?.start();
  const child = fork(SELF, ['--serve'], {
    env: {
      ...process.env,
      BENCH_KEY: JSON.stringify(key),
      BENCH_DIR: dir,
      ...(clickhouse ? { BENCH_CLICKHOUSE_URL: clickhouse.url } : {}),
    },
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
  });
  try {
    const { appUrl, bareUrl } = await new Promise<{ appUrl: string; bareUrl: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { appUrl: string; bareUrl: string }));
      child.once('exit', (code) => reject(new Error(`the service exited (${code})`)));
    });
    // The monitor's first evaluation stores ws-demo's alerts; measure only once there are some.
    for (let i = 0; ; i++) {
      const res = await fetch(`${appUrl}/workspaces/${WS}/alerts`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { alerts?: unknown[] };
      if (res.ok && (body.alerts?.length ?? 0) > 0) {
        process.stdout.write(`GET /alerts serves ${body.alerts!.length} stored alerts of ${WS}\n`);
        break;
      }
      if (i > 300) throw new Error(`no stored alerts after 30 s (last answer ${res.status})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const targets: [string, string, string | undefined][] = [
      ['bare verified route', `${bareUrl}/workspaces/${WS}/bare`, token],
      ['GET /access', `${appUrl}/workspaces/${WS}/access`, token],
      ['GET /alerts', `${appUrl}/workspaces/${WS}/alerts`, token],
      ['GET /health (public)', `${appUrl}/health`, undefined],
    ].filter(([name], i) => i === 0 || !only || String(name).includes(only)) as [string, string, string | undefined][];
    for (const [, url, t] of targets) await load(url, t, 1, connections); // warm-up
    const samples = new Map<string, Sample[]>(targets.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const [name, url, t] = targets[(round + k) % targets.length]!;
        const before = await serviceCpu(child);
        const sample = await load(url, t, seconds, connections);
        const after = await serviceCpu(child);
        samples.get(name)!.push({
          ...sample,
          cpuUs: (after.cpuUs - before.cpuUs) / Math.max(1, sample.requests),
          loopP99Ms: after.loopP99Ms,
          loopMaxMs: after.loopMaxMs,
        });
      }
    }
    const bareRps = median(samples.get(targets[0]![0])!.map((s) => s.rps));
    process.stdout.write(
      `\n${rounds} rounds × ${seconds} s per target, ${connections} connections, medians over rounds (node ${process.version}); ` +
        `audit trail shipped to ${clickhouse ? 'a clickhouse-server over HTTP' : 'the embedded chDB (in the service process)'}\n\n`,
    );
    process.stdout.write(
      '| target | req/s | p50 ms | p99 ms | × bare | service CPU µs/req | loop delay p99 / max ms | non-2xx |\n|---|---|---|---|---|---|---|---|\n',
    );
    let bad = 0;
    for (const [name] of targets) {
      const s = samples.get(name)!;
      const rps = median(s.map((x) => x.rps));
      const non2xx = s.reduce((n, x) => n + x.non2xx, 0);
      bad += non2xx;
      process.stdout.write(
        `| ${name} | ${rps.toFixed(0)} | ${median(s.map((x) => x.p50)).toFixed(1)} | ${median(s.map((x) => x.p99)).toFixed(1)} | ${(rps / bareRps).toFixed(2)} | ${median(s.map((x) => x.cpuUs)).toFixed(0)} | ${median(s.map((x) => x.loopP99Ms)).toFixed(1)} / ${Math.max(...s.map((x) => x.loopMaxMs)).toFixed(1)} | ${non2xx} |\n`,
      );
    }
    if (bad > 0) throw new Error(`${bad} answers were not 2xx: the numbers above are not of the routes' work`);
  } finally {
    if (child.connected) child.send('stop');
    await new Promise((r) => child.once('exit', r)).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    await clickhouse?.stop();
  }
  if (profileDir) printProfile(profileDir);
}

/** Self time per function (name, file:line) over the service's whole run, top 30. */
function printProfile(dir: string): void {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return void process.stdout.write(`no profile written in ${dir}\n`);
  type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number } };
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const where = f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|agents|tools)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`\nservice CPU profile (${join(dir, file)}), self time, top 30 of ${(total / 1e6).toFixed(1)} s:\n`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}\n`);
}

if (args.includes('--serve')) await serve();
else
  await main().catch((err: unknown) => {
    process.stderr.write(`bench:http: ${(err as Error).message}\n`);
    process.exit(1);
  });
