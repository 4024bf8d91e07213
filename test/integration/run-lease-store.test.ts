/**
 * Run leases on the real stores (a PostgreSQL database of this file's own, and SQLite): taken,
 * renewed, released only by their owner; an expired lease is claimed by exactly one of many
 * concurrent claimers (compare-and-set); a handed-over lease is claimable at once; an owner whose
 * lease was taken over learns it at its next renewal.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresDriver, sqliteDriver } from '../../src/storage/sql-drivers.js';
import { SqlRunLeaseStore, type RunLeaseStore } from '../../src/runs/lease-store.js';
import { RunLeases } from '../../src/runs/leases.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';

let db: TestDatabase;
let pool: pg.Pool;
let sqlite: BetterSqlite3.Database;
beforeAll(async () => {
  db = await createTestDatabase('aiops_run_leases');
  pool = new pg.Pool({ connectionString: db.url, max: 20 });
  sqlite = new BetterSqlite3(path.join(mkdtempSync(path.join(tmpdir(), 'run-leases-')), 'leases.sqlite'));
});
afterAll(async () => {
  await pool?.end();
  sqlite?.close();
  await db?.drop();
});

const stores: [string, () => RunLeaseStore][] = [
  ['postgres', () => new SqlRunLeaseStore(postgresDriver(pool))],
  ['sqlite', () => new SqlRunLeaseStore(sqliteDriver(sqlite))],
];

describe.each(stores)('run leases on %s', (_kind, makeStore) => {
  const lease = (runId: string, owner: string, expiresAtMs: number) => ({
    runId,
    workspaceId: 'ws-l',
    owner,
    expiresAtMs,
    payload: '{"x":1}',
  });

  it('hold, get, renew, release: only the owner releases', async () => {
    const store = makeStore();
    const id = `run-${Math.random()}`;
    await store.hold(lease(id, 'a', 1000));
    expect(await store.get(id)).toEqual({ runId: id, workspaceId: 'ws-l', owner: 'a', expiresAtMs: 1000, attempts: 1, payload: '{"x":1}' });
    expect(await store.renew('a', 5000)).toContain(id);
    expect((await store.get(id))?.expiresAtMs).toBe(5000);
    await store.release(id, 'b');
    expect(await store.get(id)).toBeDefined();
    await store.release(id, 'a');
    expect(await store.get(id)).toBeUndefined();
  });

  it('an expired lease is claimed by exactly one of 20 concurrent claimers; a live one by none', async () => {
    const store = makeStore();
    const id = `run-${Math.random()}`;
    await store.hold(lease(id, 'dead', 1000));
    expect(await store.claim(id, 'early', 999, 10_000)).toBeUndefined(); // not expired yet at 999
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => makeStore().claim(id, `claimer-${i}`, 2000, 60_000)));
    const won = claims.filter((c) => c !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ runId: id, expiresAtMs: 60_000, attempts: 2 });
    expect((await store.get(id))?.owner).toBe(won[0]!.owner);
    expect(await store.expired(2000, 100)).not.toContainEqual(expect.objectContaining({ runId: id }));
  });

  it('a handed-over lease is expired and owned by nobody: claimable at once', async () => {
    const store = makeStore();
    const id = `run-${Math.random()}`;
    await store.hold(lease(id, 'leaving', Date.now() + 60_000));
    await store.handOver([id], 'someone-else');
    expect((await store.get(id))?.owner).toBe('leaving');
    await store.handOver([id], 'leaving');
    expect(await store.get(id)).toMatchObject({ owner: '', expiresAtMs: 0 });
    expect(await store.expired(Date.now(), 1000)).toContainEqual(expect.objectContaining({ runId: id }));
    expect(await store.claim(id, 'next', Date.now(), Date.now() + 1000)).toMatchObject({ owner: 'next', attempts: 2 });
  });

  it('an owner whose lease was taken over hears of it at its next renewal', async () => {
    let now = 1_000_000;
    const a = new RunLeases({ store: makeStore(), leaseMs: 1000, now: () => now });
    const b = new RunLeases({ store: makeStore(), leaseMs: 1000, now: () => now });
    const lost: string[] = [];
    a.onLost((id) => lost.push(id));
    const kept = `run-${Math.random()}`;
    const taken = `run-${Math.random()}`;
    await a.hold(kept, 'ws-l', '{}');
    await a.hold(taken, 'ws-l', '{}');
    now += 1500; // a missed its renewals (paused, or the store was unreachable)
    expect(await b.claim(taken)).toMatchObject({ owner: b.owner });
    await a.renew();
    expect(lost).toEqual([taken]);
    expect((await a.lookup(kept))?.lease.owner).toBe(a.owner);
    expect((await a.lookup(kept))?.expired).toBe(false);
    a.stop();
    b.stop();
  });
});
