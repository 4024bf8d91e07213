/**
 * The metrics query API: the embedded default (catalog over the demo workspaces, PromQL refused
 * with 501), parameter validation and limits (400 naming the limit), Prometheus down (503 and
 * `down` in readiness), and the cache against the real Redis (hit/miss, outage degrades).
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL, prometheusWindow, services } from '../helpers/services.js';

let key: RsaKey;
let embedded: FastifyInstance;
let demoToken: string;

beforeAll(async () => {
  key = await rsaKey();
  embedded = await testApp(testEnv(key));
  demoToken = await contractToken(key, { workspaceId: 'ws-demo', permissions: ['aiops:read'] });
});
afterAll(async () => embedded?.close());

const query = (app: FastifyInstance, token: string, params: Record<string, string>, ws = 'ws-demo') =>
  app.inject({ url: `/workspaces/${ws}/metrics/query?${new URLSearchParams(params)}`, headers: bearer(token) });

describe('embedded default (no PROMETHEUS_URL)', () => {
  it('answers catalog queries for the demo workspace in Prometheus result format', async () => {
    const res = await query(embedded, demoToken, { name: 'memory_usage_vs_limits', namespace: 'shop' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'success', data: { resultType: 'vector' } });
    expect(body.data.result.length).toBeGreaterThan(0);
    for (const s of body.data.result) {
      expect(s.metric.namespace).toBe('shop');
      expect(s.value).toEqual([expect.any(Number), expect.stringMatching(/^[\d.e+-]+$/)]);
    }
  });

  it('answers range queries as a matrix aligned to the step', async () => {
    const end = Math.floor(Date.now() / 1000);
    const res = await query(embedded, demoToken, { name: 'cpu_usage', start: String(end - 3 * 3600), end: String(end), step: '5m' });
    expect(res.statusCode, res.body).toBe(200);
    const series = res.json().data.result;
    expect(res.json().data.resultType).toBe('matrix');
    for (const s of series) for (const [t] of s.values) expect(t % 300).toBe(0);
  });

  it('answers several catalog queries in one range request (a chart: usage and its limit), each series named by its query', async () => {
    const end = Math.floor(Date.now() / 1000);
    const window = { start: String(end - 3600), end: String(end), step: '5m', namespace: 'shop' };
    const params = new URLSearchParams({ ...window, name: 'memory_working_set' });
    params.append('name', 'memory_limits');
    params.append('name', 'memory_working_set'); // a repeated name is asked once
    const res = await embedded.inject({ url: `/workspaces/ws-demo/metrics/query?${params}`, headers: bearer(demoToken) });
    expect(res.statusCode, res.body).toBe(200);
    const { resultType, result } = res.json().data;
    expect(resultType).toBe('matrix');
    const usage = (await query(embedded, demoToken, { ...window, name: 'memory_working_set' })).json().data.result;
    const limits = (await query(embedded, demoToken, { ...window, name: 'memory_limits' })).json().data.result;
    expect(usage.length).toBeGreaterThan(0);
    expect(limits.length).toBeGreaterThan(0);
    // The same series as the two single requests, in order, each labelled with the query it answers.
    expect(result).toEqual([
      ...usage.map((s: { metric: object }) => ({ ...s, metric: { ...s.metric, __name__: 'memory_working_set' } })),
      ...limits.map((s: { metric: object }) => ({ ...s, metric: { ...s.metric, __name__: 'memory_limits' } })),
    ]);
  });

  it('a workspace without demo data gets an empty result, not another workspace', async () => {
    const token = await contractToken(key, { workspaceId: 'ws-empty', permissions: ['aiops:read'] });
    const res = await query(embedded, token, { name: 'cpu_usage' }, 'ws-empty');
    expect(res.statusCode).toBe(200);
    expect(res.json().data.result).toEqual([]);
  });

  it('refuses arbitrary PromQL with 501, saying PROMETHEUS_URL is needed', async () => {
    const res = await query(embedded, demoToken, { query: 'up' });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toMatchObject({ reason: 'needs_prometheus', message: expect.stringContaining('PROMETHEUS_URL') });
  });

  it('lists the catalog with PromQL', async () => {
    const res = await embedded.inject({ url: '/workspaces/ws-demo/metrics/catalog', headers: bearer(demoToken) });
    const names = res.json().queries.map((q: { name: string }) => q.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'cpu_usage',
        'cpu_throttling',
        'memory_usage_vs_limits',
        'oom_kills',
        'restarts',
        'pod_phase',
        'network_transmit',
        'pvc_usage',
        'http_error_ratio',
        'http_latency_p95',
      ]),
    );
    expect(res.json().source).toBe('embedded');
  });
});

describe('validation and limits', () => {
  const now = Math.floor(Date.now() / 1000);
  it.each([
    ['neither query nor name', {}, /exactly one of query/],
    ['both query and name', { query: 'up', name: 'cpu_usage' }, /exactly one of query/],
    ['unknown catalog name', { name: 'nope' }, /unknown catalog query "nope"/],
    ['a filter the query does not take', { name: 'pod_phase', container: 'x' }, /takes no "container" filter/],
    ['a filter that is not a Kubernetes name', { name: 'cpu_usage', namespace: 'a"}' }, /namespace/],
    ['filters with PromQL', { query: 'up', namespace: 'shop' }, /apply to catalog queries/],
    ['unparseable time', { name: 'cpu_usage', time: 'yesterday' }, /time: "yesterday" is not an RFC 3339 time/],
    ['start without end', { name: 'cpu_usage', start: String(now - 60) }, /needs both start and end/],
    ['end before start', { name: 'cpu_usage', start: String(now), end: String(now - 60) }, /end .* is before start/],
    ['bad step', { name: 'cpu_usage', start: String(now - 60), end: String(now), step: 'fast' }, /step: "fast" is not a positive duration/],
    [
      'too many points per series',
      { name: 'cpu_usage', start: String(now - 86_400), end: String(now), step: '5s' },
      /17281 points per series; the limit is 11000/,
    ],
    [
      'range over the limit',
      { name: 'cpu_usage', start: String(now - 8 * 86_400), end: String(now), step: '1h' },
      /the range is 192 h; the limit is 168 h/,
    ],
    ['step under the minimum', { name: 'cpu_usage', start: String(now - 60), end: String(now), step: '1s' }, /below the minimum of 5s/],
    ['time and a range together', { name: 'cpu_usage', time: String(now), start: String(now - 60), end: String(now) }, /either time/],
    ['an unknown parameter', { name: 'cpu_usage', foo: 'bar' }, /querystring/],
    ['a filter one of several queries does not take', 'name=cpu_usage&name=pod_phase&container=api', /takes no "container" filter/],
    ['more than 6 queries at once', 'name=a&name=b&name=c&name=d&name=e&name=f&name=g', /7 catalog queries in one request; the limit is 6/],
  ])('%s → 400', async (_label, params, message) => {
    const res =
      typeof params === 'string'
        ? await embedded.inject({ url: `/workspaces/ws-demo/metrics/query?${params}`, headers: bearer(demoToken) })
        : await query(embedded, demoToken, params as Record<string, string>);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(message);
  });
});

describe('against the real Prometheus and Redis', () => {
  it('Prometheus down → 503 on the query API and down in /health/ready (degraded: the replica stays ready)', async () => {
    const app = await testApp(testEnv(key, { PROMETHEUS_URL: DEAD_URL.http }));
    const token = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
    const res = await query(app, token, { name: 'cpu_usage' }, 'ws-a');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ reason: 'unavailable', message: expect.stringMatching(/Prometheus is unreachable/) });
    expect(res.headers['retry-after']).toBe('10');
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'degraded' });
    expect(ready.json().dependencies).toContainEqual(expect.objectContaining({ name: 'prometheus', status: 'down' }));
    await app.close();
  });

  it('caches enforced results in Redis: miss, then hit, keyed per workspace', async () => {
    const redis = new Redis(services.redisUrl);
    const app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, REDIS_URL: services.redisUrl }));
    const tokenA = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
    const tokenB = await contractToken(key, { workspaceId: 'ws-b', permissions: ['aiops:read'] });
    const end = Math.floor(prometheusWindow().endMs / 1000);
    const params = {
      query: `count(kube_pod_info) + ${Math.random()} # unique per run: a comment alone would normalise away`,
      start: String(end - 3600),
      end: String(end),
      step: '60s',
    };
    const first = await query(app, tokenA, params, 'ws-a');
    const second = await query(app, tokenA, { ...params, query: params.query.replace('count(', 'count (  ') }, 'ws-a');
    const otherWorkspace = await query(app, tokenB, params, 'ws-b');
    expect(first.statusCode, first.body).toBe(200);
    expect([first.headers['x-aiops-cache'], second.headers['x-aiops-cache'], otherWorkspace.headers['x-aiops-cache']]).toEqual([
      'miss',
      'hit',
      'miss',
    ]);
    expect(second.json()).toEqual(first.json());
    expect((await redis.keys('aiops:metrics:*')).length).toBeGreaterThan(0);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/aiops_metrics_cache_total\{outcome="hit"\} [1-9]/);
    await app.close();
    redis.disconnect();
  });

  it('a Redis outage degrades to direct queries, never to an error', async () => {
    const app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, REDIS_URL: DEAD_URL.redis }));
    const token = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
    const at = Math.floor(prometheusWindow().endMs / 1000) - 60;
    for (let i = 0; i < 2; i++) {
      const res = await query(app, token, { name: 'memory_working_set', time: String(at) }, 'ws-a');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().data.result.length).toBeGreaterThan(0);
      expect(res.headers['x-aiops-cache']).toBe('miss');
    }
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/aiops_metrics_cache_total\{outcome="error"\} [1-9]/);
    await app.close();
  });

  it('catalog queries on the real Prometheus show each scenario (memory leak in ws-a, CPU saturation in ws-b)', async () => {
    const app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl }));
    const end = Math.floor(prometheusWindow().endMs / 1000);
    const range = { start: String(end - 5 * 3600), end: String(end), step: '60s' };
    const a = await query(
      app,
      await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] }),
      { name: 'oom_kills', ...range },
      'ws-a',
    );
    expect(a.statusCode, a.body).toBe(200);
    const maxOom = Math.max(...a.json().data.result.flatMap((s: { values: [number, string][] }) => s.values.map(([, v]) => Number(v))));
    expect(maxOom).toBeGreaterThanOrEqual(1);
    const b = await query(
      app,
      await contractToken(key, { workspaceId: 'ws-b', permissions: ['aiops:read'] }),
      { name: 'cpu_throttling', ...range },
      'ws-b',
    );
    const maxThrottle = Math.max(
      ...b.json().data.result.flatMap((s: { values: [number, string][] }) => s.values.map(([, v]) => Number(v))),
    );
    expect(maxThrottle).toBeGreaterThan(0.3);
    await app.close();
  });
});
