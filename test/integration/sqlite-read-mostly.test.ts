/** The SQLite driver's readMostly cache: never older than the database, whoever wrote it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteDriver } from '../../src/storage/sql-drivers.js';

const opened: BetterSqlite3.Database[] = [];
function open(file: string) {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  opened.push(db);
  return db;
}
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const names = async (driver: ReturnType<typeof sqliteDriver>) =>
  (await driver.readMostly('SELECT name FROM t ORDER BY name', [])).rows.map((r) => r.name);

describe('sqliteDriver readMostly', () => {
  it('sees its own writes, in and out of transactions, and rolled-back ones never', async () => {
    const driver = sqliteDriver(open(path.join(mkdtempSync(path.join(tmpdir(), 'read-mostly-')), 'db.sqlite')));
    await driver.query('CREATE TABLE t (name TEXT)', []);
    expect(await names(driver)).toEqual([]);
    await driver.query("INSERT INTO t VALUES ('a')", []);
    expect(await names(driver)).toEqual(['a']);
    await driver.transaction('k', (tx) => tx.query("INSERT INTO t VALUES ('b')", []));
    expect(await names(driver)).toEqual(['a', 'b']);
    await expect(
      driver.transaction('k', async (tx) => {
        await tx.query("INSERT INTO t VALUES ('c')", []);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await names(driver)).toEqual(['a', 'b']);
  });

  it("sees another connection's (another process's) commits", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'read-mostly-')), 'db.sqlite');
    const mine = sqliteDriver(open(file));
    const theirs = sqliteDriver(open(file));
    await mine.query('CREATE TABLE t (name TEXT)', []);
    expect(await names(mine)).toEqual([]);
    await theirs.query("INSERT INTO t VALUES ('x')", []);
    expect(await names(mine)).toEqual(['x']);
    await theirs.transaction('k', (tx) => tx.query("UPDATE t SET name = 'y'", []));
    expect(await names(mine)).toEqual(['y']);
  });

  it('answers an unchanged database from the cache, with frozen rows per parameter set', async () => {
    const driver = sqliteDriver(open(':memory:'));
    await driver.query('CREATE TABLE t (name TEXT)', []);
    await driver.query("INSERT INTO t VALUES ('a'), ('b')", []);
    const first = await driver.readMostly('SELECT name FROM t WHERE name = ?', ['a']);
    const again = await driver.readMostly('SELECT name FROM t WHERE name = ?', ['a']);
    const other = await driver.readMostly('SELECT name FROM t WHERE name = ?', ['b']);
    expect(again.rows).toBe(first.rows);
    expect(other.rows.map((r) => r.name)).toEqual(['b']);
    expect(Object.isFrozen(first.rows[0])).toBe(true);
    expect(() => {
      (first.rows[0] as Record<string, unknown>).name = 'z';
    }).toThrow(TypeError);
  });
});
