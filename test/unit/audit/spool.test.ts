/** The write-ahead spool: durability, group commit, replay, torn tails, corruption, bounds. */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditUnavailableError, normalizeEvent, type AuditEvent } from '../../../src/audit/event.js';
import { decodeRecord, encodeRecord, Spool } from '../../../src/audit/spool.js';
import { SpoolHotTail } from '../../../src/audit/spool-hot-tail.js';

const event = (i: number): AuditEvent =>
  normalizeEvent({
    event_type: 'tool_call',
    workspace_id: 'ws-a',
    user_id: `u${i}`,
    details: { tool: 'get_pods', required_scope: 'aiops:read', arguments: { i }, status: 'ok', duration_ms: 1 },
  });
const dir = () => mkdtempSync(path.join(tmpdir(), 'spool-'));
const segments = (d: string) =>
  readdirSync(d)
    .filter((f) => f.startsWith('seg-'))
    .sort();

async function drain(spool: Spool): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  for (;;) {
    const b = await spool.readBatch(1000);
    if (b.events.length === 0) return all;
    all.push(...b.events);
    await spool.acknowledge(b.end, b.events.length);
  }
}

describe('audit spool', () => {
  it('records are checksummed lines', () => {
    const e = event(1);
    const line = encodeRecord(e);
    expect(line.at(-1)).toBe(0x0a);
    expect(decodeRecord(line.subarray(0, -1))).toEqual(e);
    const flipped = Buffer.from(line.subarray(0, -1));
    flipped[20] = flipped[20]! ^ 1;
    expect(decodeRecord(flipped)).toBeNull();
    expect(decodeRecord(line.subarray(0, 30))).toBeNull();
  });

  it('concurrent appends share one write and resolve once durable; reads return them in order', async () => {
    const d = dir();
    const spool = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await Promise.all(Array.from({ length: 500 }, (_, i) => spool.append(event(i))));
    expect(spool.stats().depthEvents).toBe(500);
    const text = readFileSync(path.join(d, segments(d)[0]!), 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(500);
    const got = await drain(spool);
    expect(got.map((e) => e.user_id)).toEqual(Array.from({ length: 500 }, (_, i) => `u${i}`));
    expect(spool.stats()).toMatchObject({ depthEvents: 0, depthBytes: 0 });
    await spool.close();
  });

  it('replays unacknowledged events after a restart, and only those', async () => {
    const d = dir();
    let spool = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) await spool.append(event(i));
    const first = await spool.readBatch(4);
    await spool.acknowledge(first.end, 4);
    await spool.readBatch(3); // read but never acknowledged (shipping crashed)
    await spool.close();
    spool = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    expect(spool.stats().depthEvents).toBe(6);
    const batch = await spool.readBatch(100);
    expect(batch.replayed).toBe(true);
    expect(batch.events.map((e) => e.user_id)).toEqual(['u4', 'u5', 'u6', 'u7', 'u8', 'u9']);
    await spool.close();
  });

  it('truncates a torn last line (a crash mid-write) and keeps appending cleanly', async () => {
    const d = dir();
    let spool = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await spool.append(event(1));
    await spool.close();
    const seg = path.join(d, segments(d)[0]!);
    appendFileSync(seg, encodeRecord(event(2)).subarray(0, 40));
    spool = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await spool.append(event(3));
    expect((await drain(spool)).map((e) => e.user_id)).toEqual(['u1', 'u3']);
    await spool.close();
  });

  it('skips and counts a corrupt record instead of shipping it', async () => {
    const d = dir();
    let spool = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    for (let i = 0; i < 3; i++) await spool.append(event(i));
    await spool.close();
    const seg = path.join(d, segments(d)[0]!);
    const lines = readFileSync(seg, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"u1"', '"uX"');
    writeFileSync(seg, lines.join('\n'));
    const corrupt: string[] = [];
    spool = await Spool.open({ dir: d, maxBytes: 1 << 20, onCorrupt: (w) => corrupt.push(w) });
    expect(corrupt).toHaveLength(1);
    expect((await drain(spool)).map((e) => e.user_id)).toEqual(['u0', 'u2']);
    expect(spool.stats().corruptRecords).toBe(1);
    await spool.close();
  });

  it('rolls over segments and deletes the shipped ones', async () => {
    const d = dir();
    const spool = await Spool.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 4096 });
    for (let i = 0; i < 60; i++) await spool.append(event(i));
    expect(segments(d).length).toBeGreaterThan(3);
    expect(await drain(spool)).toHaveLength(60);
    expect(segments(d).length).toBe(1);
    await spool.close();
  });

  it('when full, refuses new events loudly (never drops silently) and recovers once drained', async () => {
    const d = dir();
    const spool = await Spool.open({ dir: d, maxBytes: 1 << 20, segmentBytes: 1 << 18 });
    let accepted = 0;
    for (;;) {
      const results = await Promise.allSettled(Array.from({ length: 100 }, (_, j) => spool.append(event(accepted + j))));
      accepted += results.filter((r) => r.status === 'fulfilled').length;
      if (results.some((r) => r.status === 'rejected')) break;
    }
    const fit = accepted;
    await expect(spool.append(event(0))).rejects.toMatchObject({ reason: 'spool_full' });
    await expect(spool.append(event(0))).rejects.toBeInstanceOf(AuditUnavailableError);
    expect(spool.stats().full).toBe(true);
    expect(spool.stats().depthEvents).toBe(fit);
    await drain(spool);
    expect(spool.stats().full).toBe(false);
    await spool.append(event(0));
    await spool.close();
  });

  it('keeps head-room: unauthenticated events are refused above the high-water mark', async () => {
    const d = dir();
    const spool = await Spool.open({ dir: d, maxBytes: 1 << 20, unauthenticatedShare: 0.5 });
    const size = encodeRecord(event(1)).length;
    const half = Math.ceil((1 << 19) / size);
    await Promise.all(Array.from({ length: half }, (_, i) => spool.append(event(i))));
    await expect(spool.append(event(0), 'unauthenticated')).rejects.toMatchObject({ reason: 'high_water' });
    await spool.append(event(0), 'request');
    await spool.close();
  });

  it('keeps room for admitted actions: a new request is refused above its share, what an admitted action records next is not', async () => {
    const d = dir();
    const spool = await Spool.open({ dir: d, maxBytes: 1 << 20, requestShare: 0.9 });
    let accepted = 0;
    for (;;) {
      const results = await Promise.allSettled(Array.from({ length: 100 }, (_, j) => spool.append(event(accepted + j), 'request')));
      accepted += results.filter((r) => r.status === 'fulfilled').length;
      if (results.some((r) => r.status === 'rejected')) break;
    }
    expect(spool.stats().depthBytes).toBeLessThanOrEqual(0.9 * (1 << 20));
    expect(spool.stats().depthBytes).toBeGreaterThan(0.89 * (1 << 20));
    await expect(spool.append(event(0), 'request')).rejects.toMatchObject({ reason: 'spool_full' });
    expect(spool.stats().full).toBe(true); // readiness says so from the first refusal
    await spool.append(event(0), 'action'); // the approved remediation's next event still fits
    await spool.close();
  });

  it('one process per spool directory; a stale lock from a killed process is taken over', async () => {
    const d = dir();
    const spool = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await expect(Spool.open({ dir: d, maxBytes: 1 << 20 })).rejects.toThrow(/already open/);
    await spool.close();
    writeFileSync(path.join(d, 'spool.lock'), '999999999');
    const again = await Spool.open({ dir: d, maxBytes: 1 << 20 });
    await again.close();
  });

  describe('reading back what this process just wrote (the hot tail)', () => {
    /** The same events read from the file alone: a second spool opened on a copy of the directory. */
    async function fromFile(d: string): Promise<AuditEvent[]> {
      const copy = dir();
      for (const f of readdirSync(d).filter((f) => f.startsWith('seg-') || f === 'ack.json'))
        writeFileSync(path.join(copy, f), readFileSync(path.join(d, f)));
      const other = await Spool.open({ dir: copy, maxBytes: 1 << 22, segmentBytes: 4096 });
      const events = await drain(other);
      await other.close();
      return events;
    }

    it('hands out every event once, in order, across segment rollovers, equal to what the file holds', async () => {
      const d = dir();
      const spool = await Spool.open({ dir: d, maxBytes: 1 << 22, segmentBytes: 4096 });
      const got: AuditEvent[] = [];
      for (let round = 0; round < 6; round++) {
        await Promise.all(Array.from({ length: 25 }, (_, i) => spool.append(event(round * 25 + i))));
        const b = await spool.readBatch(10 + round * 7); // batch sizes that do not line up with the groups
        got.push(...b.events);
      }
      const onFile = await fromFile(d); // nothing acknowledged yet: the file holds all 150
      for (;;) {
        const b = await spool.readBatch(1000);
        if (b.events.length === 0) break;
        got.push(...b.events);
      }
      expect(segments(d).length).toBeGreaterThan(3);
      expect(got.map((e) => e.user_id)).toEqual(Array.from({ length: 150 }, (_, i) => `u${i}`));
      expect(got).toEqual(onFile);
      await spool.close();
    });

    it('after a failed shipment (rewind) the same events come again, from the file', async () => {
      const d = dir();
      const spool = await Spool.open({ dir: d, maxBytes: 1 << 22 });
      await Promise.all(Array.from({ length: 40 }, (_, i) => spool.append(event(i))));
      const first = await spool.readBatch(30);
      await spool.acknowledge(first.end, 10 /* pretend only part of it was stored */);
      spool.rewind();
      const again = await spool.readBatch(1000);
      expect(again.events.map((e) => e.user_id)).toEqual(Array.from({ length: 10 }, (_, i) => `u${30 + i}`));
      // acknowledged up to 30: the rewind went back there, nothing between was lost or repeated twice
      expect([...first.events, ...again.events].map((e) => e.user_id)).toEqual(Array.from({ length: 40 }, (_, i) => `u${i}`));

      const second = await spool.readBatch(1000);
      expect(second.events).toHaveLength(0);
      await Promise.all(Array.from({ length: 5 }, (_, i) => spool.append(event(40 + i))));
      spool.rewind(); // back to 30, before records the tail no longer holds
      expect((await drain(spool)).map((e) => e.user_id)).toEqual(Array.from({ length: 15 }, (_, i) => `u${30 + i}`));
      await spool.close();
    });

    it('a rewind into the middle of a finished segment reads the rest of it before the next segment', async () => {
      const d = dir();
      const spool = await Spool.open({ dir: d, maxBytes: 1 << 22, segmentBytes: 4096 });
      for (let i = 0; i < 30; i++) await spool.append(event(i)); // one group each: segments end on record boundaries
      const perSegment = readFileSync(path.join(d, segments(d)[0]!), 'utf8')
        .split('\n')
        .filter(Boolean).length;
      const first = await spool.readBatch(perSegment); // exactly the first segment
      expect(first.end.segment).toBe(1);
      const half = await Spool.open({ dir: dir(), maxBytes: 1 << 22 }); // where the first two records end
      await half.append(first.events[0]!);
      await half.append(first.events[1]!);
      const twoRecords = (await half.readBatch(10)).end.offset;
      await half.close();
      await spool.acknowledge({ segment: 1, offset: twoRecords }, 2);
      spool.rewind(); // the tail's next record is the first of segment 2; the file's is the third of segment 1
      expect((await drain(spool)).map((e) => e.user_id)).toEqual(Array.from({ length: 28 }, (_, i) => `u${i + 2}`));
      await spool.close();
    });

    it('the tail holds at most its byte bound: the oldest go, and a cursor before them is not served from memory', () => {
      const tail = new SpoolHotTail(100, 1000);
      tail.add(
        1,
        0,
        Array.from({ length: 5 }, (_, i) => ({ event: event(i), bytes: 300 })),
      );
      expect(tail.take({ segment: 1, offset: 0 }, 10, () => undefined)).toBeNull(); // records 0 and 1 were evicted
      const rest = tail.take({ segment: 1, offset: 600 }, 10, () => undefined);
      expect(rest?.events.map((e) => e.user_id)).toEqual(['u2', 'u3', 'u4']);
      expect(rest?.end).toEqual({ segment: 1, offset: 1500 });
    });

    it('a shipper far behind (more events than the tail keeps) still gets every event once, in order', async () => {
      const d = dir();
      const spool = await Spool.open({ dir: d, maxBytes: 1 << 24 });
      for (let chunk = 0; chunk < 5; chunk++)
        await Promise.all(Array.from({ length: 1000 }, (_, i) => spool.append(event(chunk * 1000 + i))));
      const got = await drain(spool); // 5000 > the 4096 kept: the oldest come from the file, the rest from memory
      expect(got.map((e) => e.user_id)).toEqual(Array.from({ length: 5000 }, (_, i) => `u${i}`));
      await spool.close();
    });
  });
});
