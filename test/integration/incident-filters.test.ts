/**
 * GET /workspaces/{id}/incidents with its filters (status, severity, namespace, workload, text) and
 * paging, on the real app over both monitor stores (SQLite under AIOPS_DATA_DIR, and a PostgreSQL
 * database of its own): incidents are written with the store the app reads (the monitor is off), the
 * filters run in the query so every page holds `limit` matches and the cursor walks them all, a
 * search text is data (LIKE wildcards and quotes match themselves), bad parameters are 400s that
 * say which, and another workspace's token is refused.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Severity } from '../../src/analysis/types.js';
import { SqlMonitorStore, type StoredIncident } from '../../src/monitoring/monitor-store.js';
import { incidentResourceOf } from '../../src/monitoring/incident-grouping.js';
import { postgresDriver, sqliteDriver } from '../../src/storage/sql-drivers.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';

const WS = 'ws-filters';
const T0 = 1_800_000_000_000;

let key: RsaKey;
let db: TestDatabase;
let pool: pg.Pool;
const closers: (() => Promise<unknown>)[] = [];
/** One data dir for both apps (chDB opens one per process); each app is closed before the next starts. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'incident-filters-'));

beforeAll(async () => {
  key = await rsaKey();
  db = await createTestDatabase('incident_filters');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
}, 30_000);
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await pool?.end();
  await db?.drop();
});

/** Twelve incidents over three workloads, two namespaces and three severities, a minute apart (newest last). */
function seed(workspaceId: string): StoredIncident[] {
  const specs: [string, Severity, 'open' | 'resolved', Record<string, string>, string][] = [];
  const kinds: [Record<string, string>, string][] = [
    [{ namespace: 'shop', deployment: 'api' }, 'Memory leak in shop/api'],
    [{ namespace: 'shop', pod: 'cart-7d9f8b6c5d-x2k4q' }, 'Restarts of shop/cart'],
    [{ namespace: 'billing', deployment: 'invoices' }, 'Latency of billing/invoices: 100%_done'],
  ];
  const severities: Severity[] = ['critical', 'warning', 'info'];
  for (let i = 0; i < 12; i++) {
    const [labels, title] = kinds[i % 3]!;
    specs.push([title, severities[i % 3 === 0 ? (i / 3) % 3 : i % 3]!, i % 2 === 0 ? 'resolved' : 'open', labels, `n${i}`]);
  }
  return specs.map(([title, severity, status, labels], i) => {
    const { key: resourceKey, resource } = incidentResourceOf('AIOpsTest', labels);
    return {
      id: randomUUID(),
      workspaceId,
      status,
      severity,
      title,
      resourceKey,
      resource,
      openedAtMs: T0 + i * 60_000,
      resolvedAtMs: status === 'resolved' ? T0 + i * 60_000 + 30_000 : null,
      runId: null,
      investigationClaimedAtMs: null,
      investigationError: null,
    };
  });
}

interface Page {
  incidents: { id: string; title: string; status: string; severity: string; resource: Record<string, string> }[];
  next_cursor: string | null;
}

const backends: [string, () => { env: Record<string, string>; store: SqlMonitorStore }][] = [
  [
    'SQLite',
    () => {
      const sqlite = new BetterSqlite3(path.join(dataDir, 'monitor.sqlite'));
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('busy_timeout = 5000');
      return { env: { AIOPS_DATA_DIR: dataDir }, store: new SqlMonitorStore(sqliteDriver(sqlite)) };
    },
  ],
  [
    'PostgreSQL',
    () => ({
      env: { AIOPS_DATA_DIR: dataDir, DATABASE_URL: db.url },
      store: new SqlMonitorStore(postgresDriver(pool, { dependency: 'monitor_store' })),
    }),
  ],
];

describe.each(backends)('GET /incidents filters and paging on %s', (_name, backend) => {
  let app: FastifyInstance;
  let token: string;
  let incidents: StoredIncident[];

  beforeAll(async () => {
    const { env, store } = backend();
    app = await testApp(testEnv(key, env));
    closers.push(() => store.close());
    incidents = seed(WS);
    // Another workspace with the same titles: never in this workspace's answers.
    const foreign = seed('ws-other');
    await store.inWorkspace(WS, async (tx) => {
      for (const i of incidents) await tx.insertIncident(i);
    });
    await store.inWorkspace('ws-other', async (tx) => {
      for (const i of foreign) await tx.insertIncident(i);
    });
    token = await contractToken(key, { workspaceId: WS, permissions: ['aiops:read'] });
  }, 60_000);
  afterAll(() => app?.close());

  const list = async (query: string, as = token) => {
    const res = await app.inject({ url: `/workspaces/${WS}/incidents?${query}`, headers: bearer(as) });
    return { status: res.statusCode, body: res.json() as Page & { message?: string } };
  };
  /** Every page of a query, following next_cursor. */
  const all = async (query: string) => {
    const seen: Page['incidents'] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await list(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status, JSON.stringify(body)).toBe(200);
      seen.push(...body.incidents);
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    return { seen, pages };
  };
  const expected = (keep: (i: StoredIncident) => boolean) =>
    incidents
      .filter(keep)
      .sort((a, b) => b.openedAtMs - a.openedAtMs)
      .map((i) => i.id);

  it('status: open, resolved, all (newest first)', async () => {
    expect((await all('status=open&limit=50')).seen.map((i) => i.id)).toEqual(expected((i) => i.status === 'open'));
    expect((await all('status=resolved&limit=50')).seen.map((i) => i.id)).toEqual(expected((i) => i.status === 'resolved'));
    expect((await all('status=all&limit=50')).seen.map((i) => i.id)).toEqual(expected(() => true));
  });

  it('severity, namespace and workload filter in the query: pages of `limit` matches, the cursor walks them all', async () => {
    const critical = await all('status=all&severity=critical&limit=1');
    expect(critical.seen.map((i) => i.id)).toEqual(expected((i) => i.severity === 'critical'));
    expect(critical.pages).toBe(critical.seen.length); // one match per page, no empty pages in between
    const shop = await all('status=all&namespace=shop&limit=3');
    expect(shop.seen.map((i) => i.id)).toEqual(expected((i) => i.resource.namespace === 'shop'));
    expect(shop.seen.length).toBe(8);
    // A pod's incident is its workload's: cart's pod labels grouped under workload=cart.
    const cart = await all('status=all&workload=cart&limit=2');
    expect(cart.seen.map((i) => i.id)).toEqual(expected((i) => i.resource.workload === 'cart'));
    expect(cart.seen.length).toBe(4);
    const both = await all('status=open&namespace=billing&workload=invoices&limit=50');
    expect(both.seen.map((i) => i.id)).toEqual(expected((i) => i.status === 'open' && i.resource.workload === 'invoices'));
    expect((await all('status=all&namespace=billing&workload=api&limit=50')).seen).toEqual([]);
  });

  it('text: case-insensitive substring of the title or the resource names; wildcards and quotes are plain text', async () => {
    const leak = await all(`status=all&text=${encodeURIComponent('MEMORY LEAK')}&limit=2`);
    expect(leak.seen.map((i) => i.id)).toEqual(expected((i) => i.title.startsWith('Memory leak')));
    // "invo" is in billing/invoices' resource (and its title); "workload" is only the key's kind, not a name.
    expect((await all('status=all&text=invo&limit=50')).seen.length).toBe(4);
    expect((await all('status=all&text=workload&limit=50')).seen).toEqual([]);
    // % and _ match only themselves (the title "100%_done"), a quote is no SQL.
    expect((await all(`status=all&text=${encodeURIComponent('%_d')}&limit=50`)).seen.length).toBe(4);
    expect((await all(`status=all&text=${encodeURIComponent('_')}&limit=50`)).seen.length).toBe(4);
    expect((await all(`status=all&text=${encodeURIComponent("x' OR '1'='1")}&limit=50`)).seen).toEqual([]);
  });

  it("a bad parameter is a 400 naming it; another workspace's token is refused (403)", async () => {
    for (const [query, says] of [
      ['severity=fatal', /severity/],
      ['namespace=Shop_1', /namespace must be a Kubernetes name/],
      [`workload=${'a'.repeat(254)}`, /workload/],
      [`text=${'x'.repeat(101)}`, /text/],
      ['text=%20%20', /text must not be empty/],
      ['colour=red', /colour|unrecognized/i],
      ['cursor=not-ours', /cursor/],
    ] as const) {
      const { status, body } = await list(query);
      expect(status, query).toBe(400);
      expect(body.message, query).toMatch(says);
    }
    const other = await contractToken(key, { workspaceId: 'ws-other', permissions: ['aiops:read'] });
    expect((await list('status=all', other)).status).toBe(403);
  });
});
