/** Runs the anomaly CLI function end to end on a temporary directory tree. */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAnomalyCli } from '../../../../src/analytics/anomaly-cli.js';

let dir = '';
const io = { out: '', err: '' };
const capture = { stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };

function csv(n: number, spikeAt: number): string {
  const rows = ['timestamp,value'];
  for (let i = 0; i < n; i++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    rows.push(`${ts},${i === spikeAt ? 500 : 10 + (i % 7)}`);
  }
  return `${rows.join('\n')}\n`;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anomaly-cli-'));
  io.out = '';
  io.err = '';
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('anomaly score CLI', () => {
  it('scores a directory tree into the same relative paths, one row per input row', async () => {
    await mkdir(join(dir, 'in', 'a', 'b'), { recursive: true });
    await writeFile(join(dir, 'in', 'top.csv'), csv(800, 700));
    await writeFile(join(dir, 'in', 'a', 'b', 'deep.csv'), csv(300, -1));
    await writeFile(join(dir, 'in', 'a', 'notes.txt'), 'not a csv');
    const code = await runAnomalyCli(['score', '--input', join(dir, 'in'), '--output', join(dir, 'out')], capture);
    expect(code).toBe(0);
    const top = (await readFile(join(dir, 'out', 'top.csv'), 'utf8')).trim().split('\n');
    expect(top[0]).toBe('timestamp,value,anomaly_score');
    expect(top).toHaveLength(801);
    const input = (await readFile(join(dir, 'in', 'top.csv'), 'utf8')).trim().split('\n');
    for (let i = 1; i < top.length; i++) expect(top[i]!.startsWith(`${input[i]!},`)).toBe(true);
    const scores = top.slice(1).map((l) => Number(l.split(',')[2]));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(Math.max(...scores)).toBe(scores[700]);
    expect((await readFile(join(dir, 'out', 'a', 'b', 'deep.csv'), 'utf8')).trim().split('\n')).toHaveLength(301);
    expect(io.err).toContain('[2/2]');
  });

  it('scores a single file with a chosen detector', async () => {
    await writeFile(join(dir, 'one.csv'), csv(400, 350));
    const code = await runAnomalyCli(
      ['score', '--input', join(dir, 'one.csv'), '--output', join(dir, 'o'), '--detector', 'robust-level'],
      capture,
    );
    expect(code).toBe(0);
    expect((await readFile(join(dir, 'o', 'one.csv'), 'utf8')).split('\n')).toHaveLength(402);
  });

  it.each([
    [['score', '--input', '/definitely/missing', '--output', 'x'], /input not found/],
    [['score', '--output', 'x'], /--input and --output are required/],
    [['score', '--input', '.', '--output', 'x', '--detector', 'magic'], /unknown detector "magic"/],
    [['score', '--input', '.', '--output', 'x', '--bogus'], /Unknown option/],
    [['frobnicate'], /unknown command/],
  ])('exits 2 with a message for %j', async (argv, message) => {
    expect(await runAnomalyCli(argv, capture)).toBe(2);
    expect(io.err).toMatch(message);
    expect(io.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 on a bad header, naming the file', async () => {
    await writeFile(join(dir, 'bad.csv'), 'time,val\n1,2\n');
    expect(await runAnomalyCli(['score', '--input', dir, '--output', join(dir, 'out')], capture)).toBe(2);
    expect(io.err).toMatch(/bad\.csv: expected a header "timestamp,value"/);
  });
});
