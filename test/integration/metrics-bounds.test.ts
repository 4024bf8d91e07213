/**
 * Every metrics read is bounded (issue 19): hostile query parameters sent through the real app get a
 * clean 400 naming the limit, without the process growing — against the embedded demo source (what
 * `npm start` runs) and against the real Prometheus. Before the bounds, a huge `step` aligned the
 * start to 1970 and drove the embedded source to 23.6 GB RSS; `time=now-90d` cost +485 MB.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { prometheusWindow, services } from '../helpers/services.js';

/** Growth of the process that would show the request generated or read far more than it may. */
const MAX_RSS_GROWTH = 200 * 1024 * 1024;
const DAY = 86_400;

let key: RsaKey;
let embedded: FastifyInstance;
let prometheus: FastifyInstance;
let demoToken: string;
let wsAToken: string;

beforeAll(async () => {
  key = await rsaKey();
  embedded = await testApp(testEnv(key));
  prometheus = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, METRICS_CACHE_TTL_SECONDS: '1' }));
  demoToken = await contractToken(key, { workspaceId: 'ws-demo', permissions: ['aiops:read'] });
  wsAToken = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
});
afterAll(async () => {
  await embedded?.close();
  await prometheus?.close();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function get(
  app: FastifyInstance,
  token: string,
  ws: string,
  path: string,
  params: Record<string, string>,
): Promise<LightMyRequestResponse> {
  return app.inject({ url: `/workspaces/${ws}/metrics/${path}?${new URLSearchParams(params)}`, headers: bearer(token) });
}

/** Sends the request and checks it was refused with 400 (naming `limit` when given) without the process growing. */
async function expectRefused(send: () => Promise<LightMyRequestResponse>, limit: string | undefined, message?: RegExp): Promise<void> {
  const before = process.memoryUsage().rss;
  const res = await send();
  const growth = process.memoryUsage().rss - before;
  expect(res.statusCode, res.body).toBe(400);
  const body = res.json();
  if (limit) expect(body).toMatchObject({ reason: 'limit_exceeded', limit });
  else expect(body.reason).toBe('invalid_query');
  if (message) expect(body.message).toMatch(message);
  expect(body.message).not.toMatch(/\n\s+at /); // a message, not a stack
  expect(growth, `RSS grew by ${Math.round(growth / 1048576)} MiB`).toBeLessThan(MAX_RSS_GROWTH);
}

/** Hostile parameters of the query API, as [label, parameters, limit (undefined: invalid_query), message]. */
function hostileQueries(now: number): [string, Record<string, string>, string | undefined, RegExp][] {
  const step = 3 * DAY;
  const unaligned = Math.floor((now - 12 * DAY) / step) * step + step - 1; // aligning moves it almost a step down
  return [
    [
      'a step of 99999999999999y (the probe: start aligned to 1970)',
      { start: String(now - 3600), end: String(now), step: '99999999999999y' },
      'step',
      /longer than the longest range/,
    ],
    [
      'a step of 1e308',
      { start: String(now - 3600), end: String(now), step: '1e308' },
      undefined,
      /step: "1e308" is not a positive duration/,
    ],
    ['a step of 1ms', { start: String(now - 3600), end: String(now), step: '1ms' }, 'step', /below the minimum/],
    [
      'a range of 7 days less 10 s that alignment to a 3-day step stretches to 9 days',
      { start: String(unaligned), end: String(unaligned + 7 * DAY - 10), step: '3d' },
      'range',
      /the range is 216 h; the limit is 168 h/,
    ],
    ['a range starting in 1970', { start: '0', end: String(now), step: '1h' }, 'range', /the limit is 168 h/],
    [
      'a range older than the lookback',
      { start: String(now - 16 * DAY), end: String(now - 15.5 * DAY), step: '1m' },
      'lookback',
      /older than the lookback limit of 15 d/,
    ],
    ['a range in the far future', { start: '99999999999999', end: '99999999999999', step: '1m' }, 'future', /in the future/],
    ['time=now-90d', { time: String(now - 90 * DAY) }, 'lookback', /older than the lookback limit/],
    ['time a day in the future', { time: String(now + DAY) }, 'future', /more than 300 s in the future/],
    ['time=99999999999999', { time: '99999999999999' }, 'future', /in the future/],
    ['time=1e308', { time: '1e308' }, undefined, /time: "1e308" is not an RFC 3339 time/],
    ['time=-1 (V8 reads it as 2001)', { time: '-1' }, undefined, /not an RFC 3339 time/],
  ];
}

describe('the embedded demo source (npm start)', () => {
  it.each(hostileQueries(nowSeconds()))('%s → 400', async (_label, params, limit, message) => {
    await expectRefused(() => get(embedded, demoToken, 'ws-demo', 'query', { name: 'cpu_usage', ...params }), limit, message);
  });

  it('the oldest allowed instant answers, generating only up to the retention', async () => {
    const before = process.memoryUsage().rss;
    const res = await get(embedded, demoToken, 'ws-demo', 'query', {
      name: 'memory_working_set',
      time: String(nowSeconds() - 15 * DAY + 3600),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.result.length).toBeGreaterThan(0);
    expect(process.memoryUsage().rss - before).toBeLessThan(MAX_RSS_GROWTH);
  });

  it('an answer over the byte bound is refused naming response_size', async () => {
    const app = await testApp(testEnv(key, { METRICS_MAX_RESPONSE_BYTES: String(64 * 1024) }));
    const now = nowSeconds();
    await expectRefused(
      () => get(app, demoToken, 'ws-demo', 'query', { name: 'cpu_usage', start: String(now - DAY), end: String(now), step: '30s' }),
      'response_size',
      /larger than 65536 bytes/,
    );
    await app.close();
  });

  it('an answer with more series than METRICS_MAX_SERIES is refused naming series', async () => {
    const app = await testApp(testEnv(key, { METRICS_MAX_SERIES: '3' }));
    await expectRefused(() => get(app, demoToken, 'ws-demo', 'query', { name: 'container_info' }), 'series', /the limit is 3/);
    await app.close();
  });
});

describe('the real Prometheus', () => {
  const at = () => Math.floor(prometheusWindow().endMs / 1000) - 60;

  it.each(hostileQueries(nowSeconds()))('%s → 400', async (_label, params, limit, message) => {
    await expectRefused(
      () => get(prometheus, wsAToken, 'ws-a', 'query', { query: 'container_memory_working_set_bytes', ...params }),
      limit,
      message,
    );
  });

  it.each([
    ['a range selector beyond the lookback', 'max_over_time(container_memory_working_set_bytes[30d])', 'lookback'],
    ['an offset of a year', 'container_memory_working_set_bytes offset 1y', 'lookback'],
    ['@ at the epoch', 'container_memory_working_set_bytes @ 0', 'lookback'],
    ['a one-second subquery over a week', 'max_over_time(rate(container_cpu_usage_seconds_total[5m])[7d:1s])', 'points_per_series'],
  ])('PromQL reaching around the bounds: %s → 400', async (_label, query, limit) => {
    await expectRefused(() => get(prometheus, wsAToken, 'ws-a', 'query', { query, time: String(at()) }), limit);
  });

  it('the same queries within the bounds still answer', async () => {
    const res = await get(prometheus, wsAToken, 'ws-a', 'query', {
      query: 'max_over_time(container_memory_working_set_bytes[1h]) and container_memory_working_set_bytes offset 5m',
      time: String(at()),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.result.length).toBeGreaterThan(0);
    const series = await get(prometheus, wsAToken, 'ws-a', 'series', { 'match[]': 'kube_pod_info' });
    expect(series.statusCode, series.body).toBe(200);
    expect(series.json().data.length).toBeGreaterThan(0);
  });

  it.each([
    ['start in 1970', { start: '0' }, 'lookback'],
    ['end far in the future', { end: '99999999999999' }, 'future'],
    ['start older than the lookback', { start: String(nowSeconds() - 30 * DAY), end: String(nowSeconds()) }, 'lookback'],
  ])('series and label values with %s → 400', async (_label, params, limit) => {
    await expectRefused(() => get(prometheus, wsAToken, 'ws-a', 'series', { 'match[]': 'kube_pod_info', ...params }), limit);
    await expectRefused(() => get(prometheus, wsAToken, 'ws-a', 'labels/pod/values', params), limit);
  });

  it('more series than METRICS_MAX_SERIES: the query, series and label values APIs refuse naming series', async () => {
    const app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, METRICS_MAX_SERIES: '5' }));
    await expectRefused(
      () => get(app, wsAToken, 'ws-a', 'query', { query: '{__name__=~"container_.*"}', time: String(at()) }),
      'series',
      /the limit is 5/,
    );
    await expectRefused(() => get(app, wsAToken, 'ws-a', 'series', { 'match[]': '{__name__=~"container_.*"}' }), 'series');
    await expectRefused(() => get(app, wsAToken, 'ws-a', 'labels/__name__/values', {}), 'series', /label values; the limit is 5/);
    await app.close();
  });

  it('a response over METRICS_MAX_RESPONSE_BYTES is abandoned while streaming and refused naming response_size', async () => {
    const app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, METRICS_MAX_RESPONSE_BYTES: String(64 * 1024) }));
    const end = at();
    await expectRefused(
      () =>
        get(app, wsAToken, 'ws-a', 'query', {
          query: '{__name__=~"container_.*"}',
          start: String(end - 5 * 3600),
          end: String(end),
          step: '30s',
        }),
      'response_size',
      /larger than 65536 bytes/,
    );
    await app.close();
  });
});
