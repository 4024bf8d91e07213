/**
 * The tenant escape suite, against a real Prometheus (Debian's 2.42) holding three workspaces.
 * Every attack goes through the real app with a token for ws-a. For each one we first show the
 * raw query *would* leak (run unenforced straight against Prometheus, it returns ws-b data), then
 * that through the API it is either refused with 400 or returns nothing of another workspace.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey } from '../helpers/keys.js';
import { prometheusWindow, services } from '../helpers/services.js';

let app: FastifyInstance;
let token: string;
let at: number; // evaluation time inside the backfilled window (Unix seconds)

type PromSeries = { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] };

async function raw(query: string): Promise<PromSeries[]> {
  const body = new URLSearchParams({ query, time: String(at) });
  const res = await fetch(`${services.prometheusUrl}/api/v1/query`, { method: 'POST', body });
  const json = (await res.json()) as { status: string; data: { result: PromSeries[] }; error?: string };
  if (json.status !== 'success') throw new Error(`raw query failed: ${json.error}`);
  return json.data.result;
}

async function api(query: string, extra: Record<string, string> = {}) {
  const qs = new URLSearchParams({ query, time: String(at), ...extra });
  return app.inject({ url: `/workspaces/ws-a/metrics/query?${qs}`, headers: bearer(token) });
}

const workspacesOf = (result: PromSeries[]) => new Set(result.map((s) => s.metric.workspace_id).filter(Boolean));
const scalarOf = (result: PromSeries[]) => Number(result[0]?.value?.[1]);

beforeAll(async () => {
  const key = await rsaKey();
  app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, METRICS_CACHE_TTL_SECONDS: '1' }));
  token = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
  at = Math.floor(prometheusWindow().endMs / 1000) - 60;
});
afterAll(async () => app?.close());

describe('selectors are confined (results carry only ws-a)', () => {
  it.each([
    ['every series by name regex', '{__name__=~".+"}'],
    ['a plain metric', 'container_memory_working_set_bytes'],
    ['or with on()', 'container_memory_working_set_bytes or on() kube_pod_info'],
    ['unless with ignoring()', 'kube_pod_info unless ignoring(workspace_id) kube_pod_container_info'],
    ['and with on(workspace_id)', 'kube_pod_info and on(workspace_id) kube_pod_container_info'],
    ['aggregation by the tenant label', 'sum by (workspace_id) (container_memory_working_set_bytes)'],
    ['group by the tenant label over everything', 'group by (workspace_id) ({__name__=~".+"})'],
    ['subquery', 'max_over_time(container_memory_working_set_bytes[1h:5m])'],
    ['offset modifier', 'container_memory_working_set_bytes offset 30m'],
    ['@ modifier', 'container_memory_working_set_bytes @ end()'],
    ['function argument (rate)', 'rate(container_cpu_usage_seconds_total[5m])'],
    ['label_replace copying the tenant label elsewhere', 'label_replace(kube_pod_info, "copy", "$1", "workspace_id", "(.*)")'],
    ['topk across all kube metrics', 'topk(1000, {__name__=~"kube_.*"})'],
    ['absent of a missing metric', 'absent(no_such_metric)'],
    ['count_values into another label', 'count_values("v", kube_pod_container_info)'],
    ['a comment hiding a selector', 'kube_pod_info # {workspace_id="ws-b"}'],
  ])('%s', async (_label, query) => {
    const unenforced = await raw(query);
    const res = await api(query);
    expect(res.statusCode, res.body).toBe(200);
    const result = res.json().data.result as PromSeries[];
    expect([...workspacesOf(result)].every((w) => w === 'ws-a')).toBe(true);
    for (const s of result) for (const v of Object.values(s.metric)) expect(v).not.toMatch(/^ws-[bc]$/);
    if (query !== 'absent(no_such_metric)' && !query.startsWith('count_values')) {
      expect(workspacesOf(unenforced).size + unenforced.length, 'the raw query reads other workspaces').toBeGreaterThan(0);
      if (unenforced.some((s) => s.metric.workspace_id)) expect(workspacesOf(unenforced).has('ws-b')).toBe(true);
    }
  });

  it.each([
    ['count of every series', 'count({__name__=~".+"})'],
    ['sum of CPU across the cluster', 'sum(rate(container_cpu_usage_seconds_total[5m]))'],
    ['count of workspaces', 'count(count by (workspace_id) ({__name__=~".+"}))'],
    ['vector(1) joined with on()', 'vector(1) and on() count(kube_pod_info)'],
  ])('aggregates that drop labels equal the ws-a-only value: %s', async (_label, query) => {
    const own = await raw(
      query
        .replaceAll('{__name__=~".+"}', '{__name__=~".+", workspace_id="ws-a"}')
        .replaceAll('container_cpu_usage_seconds_total[', 'container_cpu_usage_seconds_total{workspace_id="ws-a"}[')
        .replaceAll('count(kube_pod_info)', 'count(kube_pod_info{workspace_id="ws-a"})'),
    );
    const all = await raw(query);
    const res = await api(query);
    expect(res.statusCode, res.body).toBe(200);
    const value = scalarOf(res.json().data.result);
    expect(value).toBeCloseTo(scalarOf(own), 6);
    if (!query.startsWith('vector(1)')) expect(scalarOf(all)).not.toBeCloseTo(scalarOf(own), 6); // the attack is meaningful
  });
});

describe('queries that name or rewrite the tenant label are refused with 400', () => {
  it.each([
    ['another workspace', 'container_memory_working_set_bytes{workspace_id="ws-b"}'],
    ['another workspace in the right operand', 'kube_pod_info or on() kube_pod_info{workspace_id="ws-b"}'],
    ['regex on the tenant label', '{workspace_id=~"ws-.*"}'],
    ['negation', '{__name__="kube_pod_info", workspace_id!="ws-a"}'],
    ['label_replace forging the tenant label', 'label_replace(kube_pod_info, "workspace_id", "ws-b", "", "")'],
    ['label_join forging the tenant label', 'label_join(kube_pod_info, "workspace_id", "", "pod")'],
    ['absent() naming another workspace', 'absent(kube_pod_info{workspace_id="ws-b"})'],
    ['count_values writing the tenant label', 'count_values("workspace_id", kube_pod_info)'],
    ['subquery over another workspace', 'max_over_time(kube_pod_info{workspace_id="ws-b"}[1h:])'],
    ['escaped other workspace', 'kube_pod_info{workspace_id="ws-\\x62"}'],
    ['unparseable', 'sum(kube_pod_info'],
  ])('%s', async (_label, query) => {
    const res = await api(query);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ reason: 'invalid_query', message: expect.any(String) });
  });

  it('a query naming the own workspace is accepted', async () => {
    const res = await api('count(kube_pod_info{workspace_id="ws-a"})');
    expect(res.statusCode).toBe(200);
    expect(scalarOf(res.json().data.result)).toBeGreaterThan(0);
  });
});

describe('series and label APIs', () => {
  const get = (path: string) => app.inject({ url: `/workspaces/ws-a/metrics/${path}`, headers: bearer(token) });

  it('series: match[] is confined, and a foreign match[] is refused', async () => {
    const res = await get(
      `series?${new URLSearchParams({ 'match[]': '{__name__=~"kube_pod_.*"}', start: String(at - 600), end: String(at) })}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const series = res.json().data as Record<string, string>[];
    expect(series.length).toBeGreaterThan(0);
    expect(new Set(series.map((s) => s.workspace_id))).toEqual(new Set(['ws-a']));
    expect((await get(`series?${new URLSearchParams({ 'match[]': 'up{workspace_id="ws-b"}' })}`)).statusCode).toBe(400);
    expect((await get(`series?${new URLSearchParams({ 'match[]': 'rate(up[5m])' })}`)).statusCode).toBe(400);
  });

  it('label values without match[] list only the workspace values', async () => {
    const ws = await get('labels/workspace_id/values');
    expect(ws.json().data).toEqual(['ws-a']);
    const pods = (await get('labels/pod/values')).json().data as string[];
    const allPods = (await (await fetch(`${services.prometheusUrl}/api/v1/label/pod/values`)).json()) as { data: string[] };
    expect(pods.length).toBeGreaterThan(0);
    expect(allPods.data.length).toBeGreaterThan(pods.length); // other workspaces have pods we must not list
    const ownPods = await raw('group by (pod) ({workspace_id="ws-a", pod!=""})');
    expect(new Set(pods)).toEqual(new Set(ownPods.map((s) => s.metric.pod)));
  });
});

describe('the workspace guard still applies', () => {
  it('a ws-a token on a ws-b path is 403 before any query runs', async () => {
    const res = await app.inject({ url: `/workspaces/ws-b/metrics/query?query=up&time=${at}`, headers: bearer(token) });
    expect(res.statusCode).toBe(403);
  });
});
