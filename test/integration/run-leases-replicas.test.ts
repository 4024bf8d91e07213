/**
 * Run leases across replicas on one PostgreSQL database (this file's own): a server process running
 * a slow analysis is killed (SIGKILL); two instances sharing the database both sweep for orphans and
 * both are polled for the run. Exactly one claims it (only its model is asked again) and resumes it
 * from its checkpoint; the run completes on it, and both report it `completed`.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOllamaStub, type LlmStub } from '../helpers/llm-stubs.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';
import { finish, freePort, runTs } from '../helpers/process.js';
import { DEAD_URL } from '../helpers/services.js';

let key: RsaKey;
let db: TestDatabase;
const stubs: LlmStub[] = [];
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  key = await rsaKey();
  db = await createTestDatabase('aiops_run_replicas');
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await Promise.all(stubs.map((s) => s.close()));
  await db?.drop();
});

const WS = 'ws-healthy';
const token = () => contractToken(key, { workspaceId: WS, permissions: ['aiops:read', 'aiops:analyze'] });
const stub = async (delayMs: number) => {
  const s = await startOllamaStub([{ reply: 'no plan from me', delayMs }]);
  stubs.push(s);
  return s;
};

describe('an orphaned run on shared PostgreSQL', () => {
  it('is claimed by exactly one of two instances and completed there', async () => {
    const slow = await stub(5000);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const killed = runTs('src/server.ts', [], {
      PORT: String(port),
      HOST: '127.0.0.1',
      AIOPS_DATA_DIR: `/tmp/aiops-test-data/replicas-x-${process.pid}`,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      JWT_PUBLIC_KEY: key.publicPem,
      DATABASE_URL: db.url,
      CLICKHOUSE_URL: DEAD_URL.http,
      OLLAMA_BASE_URL: slow.url,
      ANALYZE_SYNC_WAIT_SECONDS: '0',
      RUN_LEASE_SECONDS: '2',
    });
    const exited = finish(killed);
    for (
      let i = 0;
      i < 300 &&
      !(await fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      ));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const started = await fetch(`${base}/workspaces/${WS}/analyze`, {
      method: 'POST',
      headers: { ...bearer(await token()), 'content-type': 'application/json' },
      body: JSON.stringify({ time_range_minutes: 60 }),
    });
    expect(started.status).toBe(202);
    const { run_id: runId } = (await started.json()) as { run_id: string };
    for (let i = 0; i < 200 && slow.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(slow.requests.length).toBe(1); // the run is inside its first model call
    killed.kill('SIGKILL');
    await exited;

    const [stubA, stubB] = [await stub(200), await stub(200)];
    const env = (name: string, model: LlmStub) =>
      testEnv(key, {
        AIOPS_DATA_DIR: `/tmp/aiops-test-data/replicas-${name}-${process.pid}`,
        DATABASE_URL: db.url,
        CLICKHOUSE_URL: DEAD_URL.http,
        OLLAMA_BASE_URL: model.url,
        RUN_LEASE_SECONDS: '1',
      });
    const [a, b] = await Promise.all([testApp(env('a', stubA)), testApp(env('b', stubB))]);
    apps.push(a, b);
    const statusOn = async (app: FastifyInstance) =>
      (await app.inject({ url: `/workspaces/${WS}/runs/${runId}`, headers: bearer(await token()) })).json().status as string;
    let statuses: string[] = [];
    for (let i = 0; i < 150; i++) {
      statuses = await Promise.all([statusOn(a), statusOn(b)]); // polls claim expired leases too: they race with the sweeps
      if (statuses.every((s) => s === 'completed' || s === 'failed')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const progress = JSON.stringify(
      (await a.inject({ url: `/workspaces/${WS}/runs/${runId}`, headers: bearer(await token()) })).json().progress,
    );
    expect(statuses, progress).toEqual(['completed', 'completed']);
    const asked = [stubA.requests.length, stubB.requests.length];
    expect(
      asked.filter((n) => n > 0),
      `model requests on a and b: ${asked}; progress: ${progress}`,
    ).toHaveLength(1);
  }, 90_000);
});
