/**
 * Analysis runs outlive the process that started them (a real server process, SQLite under its data
 * directory; a stub model that answers slowly keeps a run in flight; the next instance on the same
 * directory is built in this process, which is quicker to start):
 *  - SIGTERM waits for a running analysis (answering polls meanwhile, refusing new runs with 503
 *    `shutting_down`): it completes, and the process exits 0;
 *  - SIGTERM with a run longer than the drain budget: the run is stopped at its last checkpoint and
 *    handed over, and the next instance resumes it at once (its lease is long, so not by expiry);
 *  - SIGKILL mid-run: the next instance claims the run once its lease has expired and completes it.
 * In no case does a run stay `running`.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOllamaStub, type LlmStub } from '../helpers/llm-stubs.js';
import { finish, freePort, runTs, type Finished } from '../helpers/process.js';
import { DEAD_URL } from '../helpers/services.js';

let key: RsaKey;
let stub: LlmStub;
/** How long the stub model takes to answer (each test sets it). */
let modelDelayMs = 0;
beforeAll(async () => {
  key = await rsaKey();
  stub = await startOllamaStub(() => ({ reply: 'no plan from me', delayMs: modelDelayMs }));
});
afterAll(async () => stub?.close());

const WS = 'ws-healthy';
const token = () => contractToken(key, { workspaceId: WS, permissions: ['aiops:read', 'aiops:analyze'], ttlSeconds: 600 });

interface Server {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<Finished>;
  base: string;
}

async function startServer(dataDir: string, env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const child = runTs('src/server.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    AIOPS_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
    JWT_PUBLIC_KEY: key.publicPem,
    CLICKHOUSE_URL: DEAD_URL.http,
    OLLAMA_BASE_URL: stub.url,
    ANALYZE_SYNC_WAIT_SECONDS: '0',
    ...env,
  });
  const exited = finish(child);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, exited, base };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not start: ${(await exited).stderr}`);
}

/** The next instance on the same data directory (in this process). */
function nextInstance(dataDir: string, env: Record<string, string> = {}): Promise<FastifyInstance> {
  return testApp(testEnv(key, { AIOPS_DATA_DIR: dataDir, CLICKHOUSE_URL: DEAD_URL.http, OLLAMA_BASE_URL: stub.url, ...env }));
}

async function analyze(server: Server): Promise<Response> {
  return fetch(`${server.base}/workspaces/${WS}/analyze`, {
    method: 'POST',
    headers: { ...bearer(await token()), 'content-type': 'application/json' },
    body: JSON.stringify({ time_range_minutes: 60 }),
  });
}

async function runOf(
  app: FastifyInstance,
  runId: string,
): Promise<{ status: string; status_reason: string | null; progress: { node: string }[] }> {
  const res = await app.inject({ url: `/workspaces/${WS}/runs/${runId}`, headers: bearer(await token()) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Polls until the run is no longer running (or the time is up) and returns it. */
async function settled(app: FastifyInstance, runId: string, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  let run = await runOf(app, runId);
  while (run.status === 'running' && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    run = await runOf(app, runId);
  }
  return run;
}

/** Starts a slow run and resolves once it is inside its first model call. */
async function runInFlight(server: Server): Promise<string> {
  const seen = stub.requests.length;
  const res = await analyze(server);
  expect(res.status).toBe(202);
  const { run_id: runId } = (await res.json()) as { run_id: string };
  for (let i = 0; i < 200 && stub.requests.length === seen; i++) await new Promise((r) => setTimeout(r, 50));
  expect(stub.requests.length).toBeGreaterThan(seen);
  return runId;
}

describe('analysis runs across process ends', () => {
  it('SIGTERM waits for the running analysis, which completes; the process exits 0', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'run-sigterm-'));
    modelDelayMs = 4000;
    const first = await startServer(dataDir, { SHUTDOWN_TIMEOUT_SECONDS: '20' });
    const runId = await runInFlight(first);
    first.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    // While it waits, the server still answers: the run can be polled, a new run is refused (503, go elsewhere).
    const polled = await fetch(`${first.base}/workspaces/${WS}/runs/${runId}`, { headers: bearer(await token()) });
    expect(((await polled.json()) as { status: string }).status).toBe('running');
    const refused = await analyze(first);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { reason: string }).reason).toBe('shutting_down');
    const result = await first.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/"finished":1,"handedOver":0/);

    const asked = stub.requests.length;
    const second = await nextInstance(dataDir);
    try {
      expect(await runOf(second, runId)).toMatchObject({ status: 'completed', status_reason: null });
      expect(stub.requests.length).toBe(asked); // nothing was left to resume
    } finally {
      await second.close();
    }
  }, 90_000);

  it('SIGTERM with a run longer than the drain budget: handed over, and the next instance resumes it at once', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'run-handover-'));
    modelDelayMs = 4000;
    const first = await startServer(dataDir, { SHUTDOWN_TIMEOUT_SECONDS: '2' });
    const runId = await runInFlight(first);
    first.child.kill('SIGTERM');
    const result = await first.exited;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/"finished":0,"handedOver":1/);

    modelDelayMs = 100;
    const asked = stub.requests.length;
    // A 10-minute lease: only the hand-over lets this instance take the run now.
    const second = await nextInstance(dataDir, { RUN_LEASE_SECONDS: '600' });
    try {
      const run = await settled(second, runId, 20_000);
      expect(run).toMatchObject({ status: 'completed', status_reason: null });
      expect(run.progress.map((p) => p.node)).toEqual(['planner', 'metrics-query', 'events-query', 'anomaly-scoring', 'diagnosis']);
      expect(stub.requests.length).toBe(asked + 1); // the planner, cut short by the drain, ran again here
    } finally {
      await second.close();
    }
  }, 90_000);

  it('SIGKILL mid-run: the next instance claims the run when its lease expires and completes it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'run-sigkill-'));
    modelDelayMs = 4000;
    const first = await startServer(dataDir, { RUN_LEASE_SECONDS: '2' });
    const runId = await runInFlight(first);
    first.child.kill('SIGKILL');
    await first.exited;

    modelDelayMs = 100;
    const asked = stub.requests.length;
    const second = await nextInstance(dataDir, { RUN_LEASE_SECONDS: '2' });
    try {
      const run = await settled(second, runId, 20_000);
      expect(run).toMatchObject({ status: 'completed', status_reason: null });
      expect(run.progress.map((p) => p.node)).toEqual(['planner', 'metrics-query', 'events-query', 'anomaly-scoring', 'diagnosis']);
      expect(stub.requests.length).toBe(asked + 1);
    } finally {
      await second.close();
    }
  }, 90_000);
});
