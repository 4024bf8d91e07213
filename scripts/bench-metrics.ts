/**
 * `npm run bench:metrics`: what tenant enforcement and the cache cost.
 *  1. parse-and-rewrite per query (median of many runs), beside parsing alone in the same run;
 *  2. the scenario generator (series generation and OpenMetrics writing);
 *  3. the worst reads the bounds allow on the embedded source (the longest range at the finest step
 *     allowed, the oldest instant allowed), cold (generating) and warm (index cached), beside the
 *     default 6 h range and an instant now, in the same run;
 *  4. a query answered from the cache (Redis, in-process LRU) beside the same query sent to
 *     Prometheus uncached, in the same run.
 * Needs a Prometheus (PROMETHEUS_URL, default the test one on :19090: `npm test` or
 * `npm run demo:prometheus` starts one) and Redis (REDIS_URL, default 127.0.0.1:6379).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { Redis } from 'ioredis';
import { PrometheusClient } from '../src/clients/prometheus.js';
import { GuardedRedis } from '../src/clients/redis.js';
import { catalogPromQL } from '../src/metrics/catalog/catalog.js';
import { EmbeddedMetricsSource } from '../src/metrics/embedded/embedded-source.js';
import type { MetricsQuery } from '../src/metrics/metrics-source.js';
import { checkAndAlignRange, type RangeWindow } from '../src/metrics/query-window.js';
import { DEFAULT_READ_BOUNDS } from '../src/metrics/read-bounds.js';
import { PrometheusMetricsSource } from '../src/metrics/prometheus-source.js';
import { enforceTenant } from '../src/metrics/promql/tenant-enforcer.js';
import { LruQueryCache, RedisQueryCache } from '../src/metrics/query-cache.js';
import { demoWorkspaces, generateSeries, scaledWorkspace, writeOpenMetrics } from '../src/metrics/scenarios/index.js';

const prometheusUrl = process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:19090';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const scope = { label: 'workspace_id', workspaceId: 'ws-a' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function perCallMicros(fn: () => void, calls: number, reps: number): number {
  for (let i = 0; i < calls; i++) fn(); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / calls);
  }
  return median(samples);
}

async function perCallMillis(fn: () => Promise<unknown>, calls: number): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const queries: [string, string][] = [
  ['plain selector', 'container_memory_working_set_bytes'],
  ['catalog cpu_throttling', catalogPromQL('cpu_throttling', { namespace: 'shop' })],
  ['catalog http_latency_p95', catalogPromQL('http_latency_p95')],
  [
    'binary op + subquery',
    'max_over_time(rate(container_cpu_usage_seconds_total[5m])[1h:1m]) / on(namespace, pod, container) group_left kube_pod_container_resource_limits{resource="cpu"}',
  ],
  ['20 selectors', Array.from({ length: 20 }, (_, i) => `rate(m${i}{a="b"}[5m])`).join(' + ')],
];

console.log('1. tenant enforcement (parse + rewrite + re-parse check), median µs per query over 15 runs');
console.log('| query | chars | parse only µs | enforce µs | ratio |');
console.log('|---|---:|---:|---:|---:|');
for (const [label, q] of queries) {
  const parse = perCallMicros(() => parser.parse(q), 2000, 15);
  const enforce = perCallMicros(() => enforceTenant(q, scope), 2000, 15);
  console.log(`| ${label} | ${q.length} | ${parse.toFixed(1)} | ${enforce.toFixed(1)} | ${(enforce / parse).toFixed(1)}× |`);
}

console.log('\n2. scenario generator, 6 h at 30 s: median ms over 7 runs after warm-up');
console.log('| workspace | series | generate ms | OpenMetrics ms |');
console.log('|---|---:|---:|---:|');
const end = Math.floor(Date.now() / 30_000) * 30_000;
const window6h = { startMs: end - 6 * 3_600_000, endMs: end, stepMs: 30_000 };
for (const ws of [...demoWorkspaces(), scaledWorkspace('ws-300-pods', 300, 1)]) {
  const generated = generateSeries(ws, window6h);
  const runs = ws.workspaceId === 'ws-300-pods' ? 3 : 7;
  const gen: number[] = [];
  const om: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    const series = generateSeries(ws, window6h);
    gen.push(performance.now() - t0);
    t0 = performance.now();
    writeOpenMetrics(series, () => undefined);
    om.push(performance.now() - t0);
  }
  console.log(`| ${ws.workspaceId} | ${generated.length} | ${median(gen).toFixed(1)} | ${median(om).toFixed(1)} |`);
}

console.log(
  '\n3. embedded source, ws-demo, under the default bounds: median ms over 5 runs (cold: a fresh source, so the series are generated; warm: same source again)',
);
console.log('| read | cold ms | warm ms | vs baseline (cold) | RSS growth of one cold read MiB |');
console.log('|---|---:|---:|---:|---:|');
{
  const b = DEFAULT_READ_BOUNDS;
  const nowMs = Date.now();
  const now = Math.floor(nowMs / 1000);
  const demo = { workspaceId: 'ws-demo' };
  const catalog = (name: string): MetricsQuery => ({ kind: 'catalog', name, args: {} });
  const finestStep = Math.ceil(b.maxRangeSeconds / (b.maxPointsPerSeries - 1));
  const oldestWithData = Math.ceil(now / 3600) * 3600 - b.maxLookbackSeconds + 600;
  const longest: RangeWindow = checkAndAlignRange({ start: now - b.maxRangeSeconds + finestStep, end: now, step: finestStep }, b);
  const reads: [string, (s: EmbeddedMetricsSource) => Promise<unknown>][] = [
    ['baseline: cpu_usage instant now', (s) => s.instant(demo, catalog('cpu_usage'), now)],
    [
      'baseline: cpu_usage 6 h at 60 s',
      (s) => s.range(demo, catalog('cpu_usage'), checkAndAlignRange({ start: now - 6 * 3600, end: now, step: 60 }, b)),
    ],
    [
      `cpu_usage ${b.maxRangeSeconds / 86_400} d at ${finestStep} s (${b.maxPointsPerSeries} points)`,
      (s) => s.range(demo, catalog('cpu_usage'), longest),
    ],
    [`http_latency_p95 ${b.maxRangeSeconds / 86_400} d at ${finestStep} s`, (s) => s.range(demo, catalog('http_latency_p95'), longest)],
    // The oldest instant that has data: the retention runs back from the anchor (now rounded up to the hour).
    [
      `cpu_usage instant ${b.maxLookbackSeconds / 86_400} d before the anchor + 10 min (oldest with data)`,
      (s) => s.instant(demo, catalog('cpu_usage'), oldestWithData),
    ],
  ];
  let baseline = 0;
  for (const [label, read] of reads) {
    const cold: number[] = [];
    const warm: number[] = [];
    let rss = 0;
    for (let i = 0; i < 5; i++) {
      const source = new EmbeddedMetricsSource({ workspaces: demoWorkspaces(), tenantLabel: 'workspace_id', now: () => nowMs });
      const rss0 = process.memoryUsage().rss;
      let t0 = performance.now();
      await read(source);
      cold.push(performance.now() - t0);
      rss = Math.max(rss, process.memoryUsage().rss - rss0);
      t0 = performance.now();
      await read(source);
      warm.push(performance.now() - t0);
    }
    if (baseline === 0) baseline = median(cold);
    console.log(
      `| ${label} | ${median(cold).toFixed(1)} | ${median(warm).toFixed(1)} | ${(median(cold) / baseline).toFixed(1)}× | ${(rss / 1048576).toFixed(0)} |`,
    );
  }
}

const client = new PrometheusClient({ baseUrl: prometheusUrl });
try {
  await client.instantQuery('vector(1)', Math.floor(Date.now() / 1000));
} catch (err) {
  console.log(`\n4. skipped: no Prometheus at ${prometheusUrl} (${(err as Error).message}); start one with npm run demo:prometheus`);
  process.exit(0);
}
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
const time = Math.floor(Date.now() / 1000) - 120;
const query = { kind: 'catalog' as const, name: 'cpu_usage', args: {} };
const ws = { workspaceId: 'ws-a' };
const direct = new PrometheusMetricsSource({ client, tenantLabel: 'workspace_id', cacheTtlSeconds: 600 });
const viaRedis = new PrometheusMetricsSource({
  client,
  tenantLabel: 'workspace_id',
  cacheTtlSeconds: 600,
  cache: new RedisQueryCache(new GuardedRedis(redis), (e) => console.error(e.message)),
});
const viaLru = new PrometheusMetricsSource({ client, tenantLabel: 'workspace_id', cacheTtlSeconds: 600, cache: new LruQueryCache() });
const calls = 200;
const tDirect = await perCallMillis(() => direct.instant(ws, query, time), calls);
const tRedis = await perCallMillis(() => viaRedis.instant(ws, query, time), calls);
const tLru = await perCallMillis(() => viaLru.instant(ws, query, time), calls);
console.log(`\n4. catalog query cpu_usage for ws-a, median ms per call over ${calls} calls (same run)`);
console.log('| path | ms | vs direct |');
console.log('|---|---:|---:|');
console.log(`| Prometheus, uncached | ${tDirect.toFixed(3)} | 1.00× |`);
console.log(`| Redis cache hit | ${tRedis.toFixed(3)} | ${(tRedis / tDirect).toFixed(2)}× |`);
console.log(`| in-process LRU hit | ${tLru.toFixed(3)} | ${(tLru / tDirect).toFixed(2)}× |`);
redis.disconnect();
