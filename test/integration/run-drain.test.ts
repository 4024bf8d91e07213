/**
 * Draining and orphaned runs in one process (SQLite checkpoints and leases under the data
 * directory; a stub model that answers slowly keeps a run in flight):
 *  - while draining, a new POST /analyze gets 503 `shutting_down` with Retry-After, runs can still be read;
 *  - runs still executing at the end of the drain are handed over (lease expired, owner nobody);
 *  - the next instance reports a run it cannot resume as failed `interrupted`, never running:
 *    one whose executions are used up, and one that has no lease at all (started before leases);
 *  - a run whose process died right after its input checkpoint (LangGraph reports such a thread with
 *    no next step, as if completed) is started over from the input its lease holds, and completes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOllamaStub, type LlmStub } from '../helpers/llm-stubs.js';
import { DEAD_URL } from '../helpers/services.js';

let key: RsaKey;
let stub: LlmStub;
let fast: LlmStub;
beforeAll(async () => {
  key = await rsaKey();
  stub = await startOllamaStub([{ reply: 'no plan from me', delayMs: 4000 }]);
  fast = await startOllamaStub([{ reply: 'no plan from me' }]);
});
afterAll(async () => Promise.all([stub?.close(), fast?.close()]));

const WS = 'ws-healthy';
const token = () => contractToken(key, { workspaceId: WS, permissions: ['aiops:read', 'aiops:analyze'] });

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('drain and orphaned runs', () => {
  it('drain refuses new runs with 503 and hands the running ones over; the next instance ends what it cannot resume as interrupted', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'run-drain-'));
    const env = testEnv(key, {
      AIOPS_DATA_DIR: dataDir,
      CLICKHOUSE_URL: DEAD_URL.http,
      OLLAMA_BASE_URL: stub.url,
      ANALYZE_SYNC_WAIT_SECONDS: '0',
      SHUTDOWN_TIMEOUT_SECONDS: '1',
    });
    const first = await testApp(env);
    const start = async () => {
      const res = await first.inject({
        method: 'POST',
        url: `/workspaces/${WS}/analyze`,
        headers: bearer(await token()),
        payload: { time_range_minutes: 60 },
      });
      expect(res.statusCode, res.body).toBe(202);
      return res.json().run_id as string;
    };
    const exhausted = await start();
    const leaseless = await start();
    const unstarted = await start();
    await until(
      async () => stub.requests.length,
      (n) => n >= 3,
      10_000,
      'the runs at the model',
    );

    const draining = first.drainRuns();
    const refused = await first.inject({ method: 'POST', url: `/workspaces/${WS}/analyze`, headers: bearer(await token()), payload: {} });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ reason: 'shutting_down', message: expect.stringMatching(/shutting down/) });
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers.connection).toBe('close');
    const polled = await first.inject({ url: `/workspaces/${WS}/runs/${exhausted}`, headers: bearer(await token()) });
    expect(polled.json()).toMatchObject({ status: 'running', status_reason: null });
    expect(await draining).toEqual({ finished: 0, handedOver: 3 });
    await first.close();

    const store = new BetterSqlite3(path.join(dataDir, 'checkpoints.sqlite'));
    expect(store.prepare('SELECT run_id, owner, expires_at_ms FROM aiops_run_leases ORDER BY run_id').all()).toEqual(
      [exhausted, leaseless, unstarted].sort().map((run_id) => ({ run_id, owner: '', expires_at_ms: 0 })),
    );
    store.prepare('UPDATE aiops_run_leases SET attempts = 3 WHERE run_id = ?').run(exhausted);
    store.prepare('DELETE FROM aiops_run_leases WHERE run_id = ?').run(leaseless);
    // As if the process had died right after writing the input checkpoint: keep only that one.
    const root = store
      .prepare('SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND parent_checkpoint_id IS NULL')
      .get(unstarted) as { checkpoint_id: string };
    store.prepare('DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_id <> ?').run(unstarted, root.checkpoint_id);
    store.prepare('DELETE FROM writes WHERE thread_id = ? AND checkpoint_id <> ?').run(unstarted, root.checkpoint_id);
    store.close();

    const next = await testApp({ ...env, SHUTDOWN_TIMEOUT_SECONDS: '25', OLLAMA_BASE_URL: fast.url });
    try {
      for (const [runId, message] of [
        [exhausted, /stopped 3 times/],
        [leaseless, /started before runs had leases/],
      ] as const) {
        const res = await next.inject({ url: `/workspaces/${WS}/runs/${runId}`, headers: bearer(await token()) });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({ status: 'failed', status_reason: 'interrupted' });
        expect(res.json().errors).toContainEqual({ node: 'run', kind: 'interrupted', message: expect.stringMatching(message) });
      }
      const read = async () => (await next.inject({ url: `/workspaces/${WS}/runs/${unstarted}`, headers: bearer(await token()) })).json();
      const restarted = await until(read, (r) => r.status !== 'running', 20_000, 'the unstarted run to finish');
      expect(restarted).toMatchObject({ status: 'completed', status_reason: null });
      expect(restarted.progress.map((p: { node: string }) => p.node)).toEqual([
        'planner',
        'metrics-query',
        'events-query',
        'anomaly-scoring',
        'diagnosis',
      ]);
      expect(fast.requests.length).toBe(1);
    } finally {
      await next.close();
    }
  }, 60_000);
});
