import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteThreadStore } from '../../../src/chat/thread-store-sqlite.js';
import { titleFrom, type ThreadRecord } from '../../../src/chat/thread-store.js';

const rec = (id: string, workspace = 'ws-a', sub = 'alice', at = 1000): ThreadRecord => ({
  thread_id: id,
  workspace_id: workspace,
  sub,
  title: id,
  created_at: at,
  updated_at: at,
  turns: 0,
});

describe('the SQLite thread index', () => {
  it("lists only the owner's threads of the workspace, most recently active first", async () => {
    const store = sqliteThreadStore(new BetterSqlite3(':memory:'));
    await store.ensureReady();
    await store.create(rec('t1', 'ws-a', 'alice', 1000), 'h', 0);
    await store.create(rec('t2', 'ws-a', 'alice', 2000), 'h', 0);
    await store.create(rec('t3', 'ws-a', 'bob', 3000), 'h', 0);
    await store.create(rec('t4', 'ws-b', 'alice', 4000), 'h', 0);
    expect((await store.list('ws-a', 'alice', 10)).map((t) => t.thread_id)).toEqual(['t2', 't1']);
    await store.release('t1', 'h', { updatedAt: 5000, turnCompleted: true });
    expect((await store.list('ws-a', 'alice', 10)).map((t) => [t.thread_id, t.turns])).toEqual([
      ['t1', 1],
      ['t2', 0],
    ]);
    expect(await store.list('ws-a', 'alice', 1)).toHaveLength(1);
    expect(await store.get('t3')).toMatchObject({ workspace_id: 'ws-a', sub: 'bob' });
    expect(await store.get('nope')).toBeUndefined();
  });

  it('one lease at a time; released only by its holder; a lease that ran out can be taken over', async () => {
    const store = sqliteThreadStore(new BetterSqlite3(':memory:'));
    await store.create(rec('t1'), 'first', 10_000);
    expect(await store.acquire('t1', 'second', 20_000, 5_000)).toBe(false);
    await store.release('t1', 'second', { updatedAt: 6000, turnCompleted: true }); // not the holder: no effect
    expect(await store.acquire('t1', 'second', 20_000, 5_000)).toBe(false);
    expect((await store.get('t1'))!.turns).toBe(0);
    await store.release('t1', 'first', { updatedAt: 6000, turnCompleted: true });
    expect(await store.acquire('t1', 'second', 20_000, 6_500)).toBe(true);
    expect(await store.acquire('t1', 'third', 40_000, 25_000)).toBe(true); // "second" crashed: its lease ran out
  });

  it('titles are one line of at most 80 characters', () => {
    expect(titleFrom('  why is\n\tcheckout   slow?  ')).toBe('why is checkout slow?');
    expect(titleFrom('x'.repeat(200))).toHaveLength(80);
  });
});
