/**
 * GET /workspaces/{id}/runs on the real app against the backfilled Prometheus, with the checkpoints
 * (and the run index beside them) in SQLite and in a PostgreSQL database of its own: runs come back
 * newest first with who started them and their top hypothesis read from the checkpoint, pages follow
 * next_cursor, a workspace sees only its own runs, bad parameters are 400s and another workspace's
 * token is refused. The index itself is checked on all three backends (SQLite, PostgreSQL, memory).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRunIndex, SqlRunIndex, type RunIndex } from '../../src/runs/run-index.js';
import { postgresDriver, sqliteDriver } from '../../src/storage/sql-drivers.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';
import { prometheusWindow, services } from '../helpers/services.js';

let key: RsaKey;
let db: TestDatabase;
let pool: pg.Pool;
/** One data dir for both apps (chDB opens one per process); each app is closed before the next starts. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'runs-list-'));

beforeAll(async () => {
  key = await rsaKey();
  db = await createTestDatabase('runs_list');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
}, 30_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const indexes: [string, () => RunIndex][] = [
  ['SQLite', () => new SqlRunIndex(sqliteDriver(new BetterSqlite3(path.join(mkdtempSync(path.join(tmpdir(), 'run-index-')), 'i.sqlite'))))],
  ['PostgreSQL', () => new SqlRunIndex(postgresDriver(pool))],
  ['memory', () => new MemoryRunIndex()],
];

describe.each(indexes)('the run index on %s', (_name, make) => {
  it('lists a workspace’s runs newest first (ties by id), pages after a cursor, never another workspace’s', async () => {
    const index = make();
    const entry = (n: number, ws: string, at: number) => ({
      runId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      workspaceId: ws,
      analysisType: 'anomaly',
      requestedBy: 'alice',
      startedAtMs: at,
    });
    for (let n = 1; n <= 5; n++) await index.record(entry(n, 'ws-1', 1000 + Math.min(n, 4) * 10)); // 4 and 5 tie
    await index.record(entry(9, 'ws-2', 5000));
    await index.record(entry(1, 'ws-1', 1)); // recorded twice: kept once, as first recorded
    const ids = (rows: { runId: string }[]) => rows.map((r) => Number(r.runId.slice(-2)));
    const first = await index.list('ws-1', { limit: 3 });
    expect(ids(first)).toEqual([5, 4, 3]);
    const last = first.at(-1)!;
    expect(ids(await index.list('ws-1', { after: { atMs: last.startedAtMs, id: last.runId }, limit: 3 }))).toEqual([2, 1]);
    expect(ids(await index.list('ws-2', { limit: 10 }))).toEqual([9]);
    expect(await index.list('ws-none', { limit: 10 })).toEqual([]);
  });
});

const apps: [string, () => Record<string, string>][] = [
  ['SQLite', () => ({ AIOPS_DATA_DIR: dataDir })],
  ['PostgreSQL', () => ({ AIOPS_DATA_DIR: dataDir, DATABASE_URL: db.url })],
];

describe.each(apps)('GET /runs on %s', (_name, env) => {
  let app: FastifyInstance;
  const started: string[] = [];
  const token = (ws: string, permissions = ['aiops:read', 'aiops:analyze']) =>
    contractToken(key, { workspaceId: ws, sub: 'alice', permissions });
  const list = async (query: string, ws = 'ws-a', as?: string) => {
    const res = await app.inject({ url: `/workspaces/${ws}/runs?${query}`, headers: bearer(as ?? (await token(ws))) });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    app = await testApp(testEnv(key, { PROMETHEUS_URL: services.prometheusUrl, ...env() }), { now: () => prometheusWindow().endMs });
    for (const [ws, type] of [
      ['ws-a', 'anomaly'],
      ['ws-c', 'anomaly'],
      ['ws-a', 'capacity'],
      ['ws-a', 'anomaly'],
    ] as const) {
      const res = await app.inject({
        method: 'POST',
        url: `/workspaces/${ws}/analyze`,
        headers: bearer(await token(ws)),
        payload: { analysis_type: type, time_range_minutes: 360 },
      });
      expect(res.statusCode, res.body).toBe(200);
      if (ws === 'ws-a') started.push(res.json().run_id);
      await new Promise((r) => setTimeout(r, 5)); // distinct start times
    }
  }, 120_000);
  afterAll(() => app?.close());

  it('newest first, with type, status, who, the top hypothesis from the checkpoint; pages by next_cursor', async () => {
    const { status, body } = await list('limit=2');
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([started[2], started[1]]);
    expect(body.runs[1]).toMatchObject({ analysis_type: 'capacity', requested_by: 'alice' });
    expect(body.runs[0]).toMatchObject({
      analysis_type: 'anomaly',
      status: 'awaiting_approval',
      requested_by: 'alice',
      diagnosed_by: 'deterministic',
    });
    expect(body.runs[0].top_hypothesis.cause).toMatch(/memory leak in shop\/api/);
    expect(body.runs[0].remediation_id).toEqual(expect.any(String));
    expect(Date.parse(body.runs[0].started_at)).toBeGreaterThan(Date.now() - 600_000); // the wall clock, not the pinned analysis clock
    expect(body.next_cursor).toEqual(expect.any(String));
    const next = await list(`limit=2&cursor=${body.next_cursor}`);
    expect(next.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([started[0]]);
    expect(next.body.next_cursor).toBeNull();
  });

  it('a workspace sees only its own runs', async () => {
    const { body } = await list('limit=100', 'ws-c');
    expect(body.runs).toHaveLength(1);
    expect(started).not.toContain(body.runs[0].run_id);
  });

  it('bad parameters are 400s; another workspace’s token is refused (403)', async () => {
    for (const [query, says] of [
      ['limit=101', /limit/],
      ['limit=0', /limit/],
      ['cursor=nope!', /cursor/],
      ['status=done', /status|unrecognized/i],
    ] as const) {
      const { status, body } = await list(query);
      expect(status, query).toBe(400);
      expect(body.message, query).toMatch(says);
    }
    expect((await list('limit=5', 'ws-a', await token('ws-c'))).status).toBe(403);
  });
});
