/**
 * Time budgets and cancellation on the real app, over the real Prometheus (ws-a backfilled): an
 * analysis run past ANALYSIS_TIMEOUT_SECONDS ends `failed` with kind `timeout`, and the routes that
 * analyse inline answer 504 `timeout`; a client that disconnects stops the analysis it was waiting
 * for; a chat turn past CHAT_TURN_TIMEOUT_SECONDS ends with an `error` event (reason `timeout`), its
 * tool's analysis and its model call aborted; the worker pool closes with the app. The analysis step
 * is held by a test engine (test/helpers/held-findings.ts) so that "while it runs" is certain, and
 * each stopped piece of work is counted with the reason it was given.
 */
import { createHook } from 'node:async_hooks';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientGone } from '../../src/budget/abort-reason.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { heldFindings, type HeldFindings } from '../helpers/held-findings.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOllamaStub } from '../helpers/llm-stubs.js';
import { prometheusWindow, services } from '../helpers/services.js';

let key: RsaKey;
const token = (ws = 'ws-a') => contractToken(key, { workspaceId: ws, permissions: ['aiops:read', 'aiops:analyze'], sub: 'alice' });
const onPrometheus = (extra: Record<string, string>) => testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, ...extra });
const asOfData = () => prometheusWindow().endMs;
const isTimeout = (reason: unknown) => (reason as Error).name === 'TimeoutError';
const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const embedded = () =>
  new EmbeddedMetricsSource({ workspaces: [scenarioWorkspace('ws-a', ['memory_leak'])], tenantLabel: 'workspace_id', now: () => NOW });

beforeAll(async () => {
  key = await rsaKey();
});

describe('an analysis over its time budget (ANALYSIS_TIMEOUT_SECONDS=3)', () => {
  let app: FastifyInstance;
  let held: HeldFindings;
  beforeAll(async () => {
    held = heldFindings();
    // In-process metrics, not Prometheus: on a loaded CI a Prometheus fetch once outlasted the whole budget, the request
    // ended before the held analysis started and the test waited for an analysis that never came.
    app = await testApp(testEnv(key, { ANALYSIS_TIMEOUT_SECONDS: '3' }), {
      metricsSource: embedded(),
      now: () => NOW,
      findingsEngine: held.engine,
    });
  });
  afterAll(async () => app?.close());

  it('POST /analyze: the run ends failed with kind timeout, never running; its analysis step was aborted for the budget', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/workspaces/ws-a/analyze',
      headers: bearer(await token()),
      payload: { analysis_type: 'anomaly', time_range_minutes: 60 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    expect(run.status).toBe('failed');
    expect(run.errors).toContainEqual({
      node: 'run',
      kind: 'timeout',
      message: 'the analysis took longer than its time budget of 3 s and was stopped',
    });
    expect(run.progress.map((p: { node: string }) => p.node)).toEqual(['planner', 'metrics-query', 'events-query']);
    const call = await held.ended(0);
    expect(call.outcome).toBe('aborted');
    expect(isTimeout(call.reason)).toBe(true);
    const again = await app.inject({ url: `/workspaces/ws-a/runs/${run.run_id}`, headers: bearer(await token()) });
    expect(again.json()).toMatchObject({
      status: 'failed',
      errors: expect.arrayContaining([expect.objectContaining({ kind: 'timeout' })]),
    });
  });

  it('GET /recommendations: 504 timeout, its analysis aborted', async () => {
    for (const path of ['recommendations?window_hours=6']) {
      const before = held.calls.length;
      const res = await app.inject({ url: `/workspaces/ws-a/${path}`, headers: bearer(await token()) });
      expect(res.statusCode, res.body).toBe(504);
      expect(res.json()).toMatchObject({
        reason: 'timeout',
        message: 'the analysis took longer than its time budget of 3 s (ANALYSIS_TIMEOUT_SECONDS) and was stopped',
      });
      const call = await held.ended(before);
      expect(call.outcome).toBe('aborted');
      expect(isTimeout(call.reason)).toBe(true);
    }
  });
});

describe('a client that goes away', () => {
  let app: FastifyInstance;
  let held: HeldFindings;
  let base: string;
  beforeAll(async () => {
    held = heldFindings();
    app = await testApp(onPrometheus({}), { now: asOfData, findingsEngine: held.engine });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => app?.close());

  /** A real HTTP client (no keep-alive) that hangs up once the request's analysis is under way. */
  async function hangUpDuringAnalysis(path: string): Promise<void> {
    const before = held.calls.length;
    const req = request(`${base}${path}`, { agent: false, headers: bearer(await token()) });
    req.on('error', () => undefined); // the hang-up itself
    req.end();
    await held.arrived(before + 1);
    req.destroy();
  }

  it('GET /recommendations: hanging up stops the analysis (counted, reason: the client went away)', async () => {
    for (const path of ['/workspaces/ws-a/recommendations?window_hours=6']) {
      const before = held.calls.length;
      await hangUpDuringAnalysis(path);
      const call = await held.ended(before);
      expect(call.outcome, path).toBe('aborted');
      expect(call.reason).toBeInstanceOf(ClientGone);
    }
    expect(held.calls.map((c) => c.outcome)).toEqual(['aborted']);
  });

  it('a client that stays gets its answer once the analysis is done', async () => {
    const before = held.calls.length;
    const answer = fetch(`${base}/workspaces/ws-a/recommendations?window_hours=6`, { headers: bearer(await token()) });
    await held.arrived(before + 1);
    held.calls[before]!.release();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { recommendations: unknown[] }).recommendations.length).toBeGreaterThan(0);
  });
});

describe('a chat turn over its time budget (CHAT_TURN_TIMEOUT_SECONDS=1)', () => {
  const metrics = embedded;
  type Ev = { event: string; data: Record<string, unknown> };

  async function turn(app: FastifyInstance, message: string): Promise<Ev[]> {
    const res = await app.inject({
      method: 'POST',
      url: '/workspaces/ws-a/chat',
      headers: { ...bearer(await token()), accept: 'application/json' },
      payload: { message },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().events as Ev[];
  }

  it("deterministic mode: the diagnose tool's analysis is aborted, the turn ends with error timeout then done", async () => {
    const held = heldFindings();
    const app = await testApp(testEnv(key, { CHAT_TURN_TIMEOUT_SECONDS: '1' }), {
      metricsSource: metrics(),
      now: () => NOW,
      findingsEngine: held.engine,
    });
    try {
      const events = await turn(app, 'What is wrong in my workspace?');
      expect(events[0]!.event).toBe('thread');
      expect(events.find((e) => e.event === 'tool_call')?.data).toMatchObject({ name: 'diagnose_workspace' });
      expect(events.filter((e) => e.event === 'error')).toEqual([
        { event: 'error', data: { reason: 'timeout', message: 'the turn took longer than its time budget of 1 s and was stopped' } },
      ]);
      expect(events.at(-1)!.event).toBe('done');
      expect(events.some((e) => e.event === 'answer')).toBe(false);
      const call = await held.ended(0);
      expect(call.outcome).toBe('aborted');
      expect(isTimeout(call.reason)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('with a model that never answers: the model call is aborted at the budget, long before LLM_TIMEOUT_SECONDS', async () => {
    const stub = await startOllamaStub([{ hang: true }]);
    const app = await testApp(testEnv(key, { CHAT_TURN_TIMEOUT_SECONDS: '1', OLLAMA_BASE_URL: stub.url, LLM_TIMEOUT_SECONDS: '60' }), {
      metricsSource: metrics(),
      now: () => NOW,
    });
    try {
      const events = await turn(app, 'Tell me about the weather in the cluster');
      expect(events.map((e) => e.event)).toEqual(['thread', 'error', 'done']);
      expect(events[1]!.data).toMatchObject({ reason: 'timeout' });
      for (let i = 0; i < 100 && stub.abandoned === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(stub.requests).toHaveLength(1);
      expect(stub.abandoned).toBe(1);
    } finally {
      await app.close();
      await stub.close();
    }
  });
});

describe('the worker pool closes with the app', () => {
  it('an app that analysed on worker threads leaves none behind after close', async () => {
    const live = new Set<number>();
    const hook = createHook({
      init: (id, type) => {
        if (type === 'WORKER') live.add(id);
      },
      destroy: (id) => live.delete(id),
    }).enable();
    try {
      const app = await testApp(onPrometheus({ ANALYSIS_WORKER_THREADS: '2' }), { now: asOfData });
      const res = await app.inject({ url: '/workspaces/ws-a/recommendations?window_hours=6', headers: bearer(await token()) });
      expect(res.statusCode, res.body).toBe(200);
      expect(live.size).toBeGreaterThan(0);
      const metrics = await app.inject({ url: '/metrics' });
      expect(metrics.body).toMatch(/aiops_analysis_tasks_total\{mode="worker",outcome="ok"\} 1/);
      await app.close();
      for (let i = 0; i < 50 && live.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(live.size).toBe(0);
    } finally {
      hook.disable();
    }
  });
});
