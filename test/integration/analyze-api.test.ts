/**
 * POST /analyze and GET /runs end to end in deterministic mode (no LLM), on the real Prometheus
 * backfilled with ws-a (memory leak + PVC filling), ws-b (CPU saturation + egress spike) and ws-c
 * (healthy): each scenario's root cause must come out first; a healthy workspace gets none; a workspace
 * with no series at all ends `no_data`, not healthy.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL, prometheusWindow, services } from '../helpers/services.js';

let key: RsaKey;
let app: FastifyInstance;
const token = (ws: string, permissions = ['aiops:read', 'aiops:analyze']) => contractToken(key, { workspaceId: ws, permissions });

/** The backfilled data ends at the window end: analyse "as of" then by pinning the clock. */
beforeAll(async () => {
  key = await rsaKey();
  app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl }), { now: () => prometheusWindow().endMs });
});
afterAll(async () => app?.close());

async function analyze(ws: string, body: Record<string, unknown>, target: FastifyInstance = app) {
  return target.inject({ method: 'POST', url: `/workspaces/${ws}/analyze`, headers: bearer(await token(ws)), payload: body });
}

describe('deterministic analysis on the real Prometheus', () => {
  it('ws-a (memory leak): the memory leak of shop/api comes out first, with cited evidence and a proposed mitigation awaiting approval', async () => {
    const res = await analyze('ws-a', { analysis_type: 'anomaly', time_range_minutes: 360 });
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    expect(run.status).toBe('awaiting_approval');
    expect(run.diagnosed_by).toBe('deterministic');
    expect(run.plan.planned_by).toBe('deterministic');
    const top = run.diagnosis.hypotheses[0];
    expect(top.cause).toMatch(/memory leak in shop\/api/);
    const evidenceSeries = new Set(
      run.findings.flatMap((f: { evidence: { series: string; time: string }[] }) => f.evidence.map((e) => `${e.series}@${e.time}`)),
    );
    for (const e of top.evidence) expect(evidenceSeries.has(`${e.series}@${e.time}`)).toBe(true);
    expect(run.proposed_actions).toContainEqual(
      expect.objectContaining({ action_type: 'restart_application', target_resource: 'deployment/api', namespace: 'shop' }),
    );
    expect(run.remediation).toBeNull();
    expect(run.progress.map((p: { node: string }) => p.node)).toEqual([
      'planner',
      'metrics-query',
      'events-query',
      'anomaly-scoring',
      'diagnosis',
      'propose',
    ]);
  });

  it('ws-a (capacity): the filling PVC of data/postgres is found with a forecast', async () => {
    const res = await analyze('ws-a', { analysis_type: 'capacity', time_range_minutes: 360 });
    expect(res.statusCode, res.body).toBe(200);
    const causes = res.json().diagnosis.hypotheses.map((h: { cause: string }) => h.cause);
    expect(causes.join('\n')).toMatch(/PVC .*postgres.* filling up/);
    expect(res.json().findings).toContainEqual(
      expect.objectContaining({ kind: 'capacity', resource: expect.objectContaining({ namespace: 'data' }) }),
    );
  });

  it('ws-b (CPU saturation): a CPU cause of shop/api comes first', async () => {
    const res = await analyze('ws-b', { analysis_type: 'performance', time_range_minutes: 360 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().diagnosis.hypotheses[0].cause).toMatch(/CPU.*shop\/api|shop\/api.*CPU/);
  });

  it('ws-c (healthy): nothing wrong, no hypotheses, no actions, completed', async () => {
    const res = await analyze('ws-c', { analysis_type: 'anomaly', time_range_minutes: 360 });
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    expect(run.status).toBe('completed');
    expect(run.diagnosis.hypotheses).toEqual([]);
    expect(run.proposed_actions).toEqual([]);
    expect(run.findings.filter((f: { severity: string }) => f.severity !== 'info')).toEqual([]);
  });

  it('no data is not healthy: an unscraped workspace (a valid token, no series in Prometheus) ends no_data, saying why', async () => {
    const res = await analyze('ws-unscraped', { analysis_type: 'anomaly', time_range_minutes: 60 });
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    expect(run).toMatchObject({ status: 'no_data', status_reason: null, findings: [], diagnosis: null, proposed_actions: [] });
    expect(run.errors).toContainEqual({
      node: 'metrics-query',
      kind: 'no_data',
      message: 'no series for workspace ws-unscraped in the last 60 minutes: is it scraped, and does its tenant label match?',
    });
    // Nothing was scored or diagnosed: the run ends after the query.
    expect(run.progress.map((p: { node: string }) => p.node)).toEqual(['planner', 'metrics-query']);
    const again = await app.inject({ url: `/workspaces/ws-unscraped/runs/${run.run_id}`, headers: bearer(await token('ws-unscraped')) });
    expect(again.json()).toMatchObject({ run_id: run.run_id, status: 'no_data' });
  });

  it('no data in the asked namespaces or window: no_data too, naming what was asked', async () => {
    const elsewhere = await analyze('ws-c', { time_range_minutes: 60, targets: ['nowhere'] });
    expect(elsewhere.json().status, elsewhere.body).toBe('no_data');
    expect(elsewhere.json().errors).toContainEqual(
      expect.objectContaining({
        kind: 'no_data',
        message: expect.stringMatching(/^no series for workspace ws-c in namespace nowhere in the last 60 minutes/),
      }),
    );
    // An hour before the backfilled data begins: nothing inside the window (as for a workspace whose scraping stopped).
    const before = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl }), {
      now: () => prometheusWindow().startMs - 3_600_000,
    });
    const empty = await analyze('ws-c', { time_range_minutes: 30 }, before);
    expect(empty.json().status, empty.body).toBe('no_data');
    expect(empty.json().errors).toContainEqual(
      expect.objectContaining({ kind: 'no_data', message: expect.stringMatching(/in the last 30 minutes/) }),
    );
    await before.close();
  });

  it('a run reads back on GET /runs/{id}, and only from its own workspace', async () => {
    const started = (await analyze('ws-c', { analysis_type: 'anomaly', time_range_minutes: 60 })).json();
    const again = await app.inject({
      url: `/workspaces/ws-c/runs/${started.run_id}`,
      headers: bearer(await token('ws-c', ['aiops:read'])),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ run_id: started.run_id, status: 'completed', workspace_id: 'ws-c' });
    const foreign = await app.inject({
      url: `/workspaces/ws-a/runs/${started.run_id}`,
      headers: bearer(await token('ws-a', ['aiops:read'])),
    });
    expect(foreign.statusCode).toBe(404);
  });

  it('diagnosis hypotheses become insights, read back from ClickHouse in their workspace only', async () => {
    const run = (await analyze('ws-a', { analysis_type: 'anomaly', time_range_minutes: 360 })).json();
    const read = async (ws: string) =>
      (await app.inject({ url: `/workspaces/${ws}/insights?limit=200`, headers: bearer(await token(ws, ['aiops:read'])) })).json();
    let insights: { run_id: string; title: string; evidence: unknown[]; severity: string }[] = [];
    for (let i = 0; i < 100 && !insights.some((x) => x.run_id === run.run_id); i++) {
      await new Promise((r) => setTimeout(r, 100)); // shipped from the spool asynchronously
      insights = (await read('ws-a')).insights;
    }
    const mine = insights.filter((x) => x.run_id === run.run_id);
    expect(mine.map((x) => x.title)).toEqual(run.diagnosis.hypotheses.map((h: { cause: string }) => h.cause));
    expect(mine[0]).toMatchObject({ title: expect.stringMatching(/memory leak in shop\/api/), severity: 'critical' });
    expect(mine[0]!.evidence.length).toBeGreaterThan(0);
    expect((await read('ws-c')).insights.some((x: { run_id: string }) => x.run_id === run.run_id)).toBe(false);
  });

  // The workspace's alerts are the monitor's stored state: test/integration/monitoring-*.test.ts.
  it('recommendations of the workspace', async () => {
    const recs = await app.inject({
      url: '/workspaces/ws-a/recommendations?window_hours=6',
      headers: bearer(await token('ws-a', ['aiops:read'])),
    });
    expect(recs.statusCode, recs.body).toBe(200);
    expect(recs.json().recommendations).toContainEqual(expect.objectContaining({ category: 'reliability', finding_kind: 'capacity' }));
  });
});

describe('the analyze endpoint', () => {
  it('refuses bad input with 400 naming the field', async () => {
    for (const body of [
      { time_range_minutes: 2 },
      { analysis_type: 'everything' },
      { targets: ['Bad Namespace'] },
      { workspace_id: 'ws-b' },
    ]) {
      const res = await analyze('ws-a', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().details.length).toBeGreaterThan(0);
    }
  });

  it('needs aiops:analyze', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/workspaces/ws-a/analyze',
      headers: bearer(await token('ws-a', ['aiops:read'])),
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().required_scope).toBe('aiops:analyze');
  });

  it('answers 202 with a run to poll when the run outlasts the wait', async () => {
    const slow = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, ANALYZE_SYNC_WAIT_SECONDS: '0' }), {
      now: () => prometheusWindow().endMs,
    });
    const res = await analyze('ws-c', { time_range_minutes: 60 }, slow);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.headers.location).toBe(`/workspaces/ws-c/runs/${res.json().run_id}`);
    let status = res.json().status;
    for (let i = 0; i < 100 && status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await slow.inject({ url: res.headers.location as string, headers: bearer(await token('ws-c')) })).json().status;
    }
    expect(status).toBe('completed');
    await slow.close();
  });

  it('starts with PostgreSQL down, and answers 503 until the run store is back', async () => {
    const noStore = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, DATABASE_URL: DEAD_URL.postgres }), {
      now: () => prometheusWindow().endMs,
    });
    const res = await analyze('ws-a', { time_range_minutes: 60 }, noStore);
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json()).toMatchObject({ reason: 'run_store_unavailable', message: expect.stringMatching(/run store is unavailable/) });
    await noStore.close();
    const withStore = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, DATABASE_URL: services.databaseUrl }), {
      now: () => prometheusWindow().endMs,
    });
    const ok = await analyze('ws-c', { time_range_minutes: 60 }, withStore);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('completed');
    await withStore.close();
  });

  it('503 when the metrics source is down', async () => {
    const down = await testApp(testEnv(key, { PROMETHEUS_URL: DEAD_URL.http }));
    const res = await analyze('ws-a', { time_range_minutes: 60 }, down);
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json()).toMatchObject({ reason: 'metrics_unavailable', message: expect.stringMatching(/unavailable/) });
    await down.close();
  });
});
