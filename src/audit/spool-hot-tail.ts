/**
 * The records this process wrote to the spool last, kept as the events they encode, so the shipper
 * (which normally reads right behind the writer) gets them without reading the file back and
 * decoding every line: a checksum, a JSON parse and a schema check, about 7 µs an event on the event
 * loop, which every request waiting behind it paid as latency.
 *
 * Only durable records are added (after their group's fsync), and only an exact continuation of the
 * shipper's read cursor is served from here. Everything else is read from the file as before: a
 * rewind after a failed shipment (records already handed out are dropped from here), records written
 * before this process opened the spool, records evicted because the shipper fell behind. The file
 * stays the one source of truth; this only saves reading back what was just written.
 */
import type { AuditEvent } from './event.js';
import type { SpoolPosition } from './spool.js';

interface HotRecord {
  segment: number;
  offset: number;
  end: number;
  event: AuditEvent;
}

export class SpoolHotTail {
  private records: HotRecord[] = [];
  /** Encoded bytes of the records held (their decoded form is a small multiple of it). */
  private bytes = 0;

  constructor(
    private readonly maxEvents: number,
    private readonly maxBytes: number,
  ) {}

  /** A durable group of consecutive records starting at `offset` of `segment` (their encoded lengths). */
  add(segment: number, offset: number, group: readonly { event: AuditEvent; bytes: number }[]): void {
    let at = offset;
    for (const { event, bytes } of group) {
      this.records.push({ segment, offset: at, end: at + bytes, event });
      this.bytes += bytes;
      at += bytes;
    }
    // The shipper fell behind (ClickHouse down, say): keep the newest; the file serves the rest.
    let drop = 0;
    let kept = this.bytes;
    while (drop < this.records.length && (this.records.length - drop > this.maxEvents || kept > this.maxBytes)) {
      kept -= size(this.records[drop++]!);
    }
    this.discard(drop);
  }

  /**
   * Up to `maxEvents` records from `cursor` on, or null when the record at the cursor is not held here.
   * `segmentSize` says where a finished segment ends, so a cursor at its end continues at the next one.
   */
  take(
    cursor: SpoolPosition,
    maxEvents: number,
    segmentSize: (segment: number) => number | undefined,
  ): { events: AuditEvent[]; end: SpoolPosition } | null {
    let skip = 0;
    while (skip < this.records.length && before(this.records[skip]!, cursor)) skip++;
    const first = this.records[skip];
    const continues =
      first !== undefined &&
      ((first.segment === cursor.segment && first.offset === cursor.offset) ||
        (first.offset === 0 && first.segment === cursor.segment + 1 && segmentSize(cursor.segment) === cursor.offset));
    if (!continues) {
      this.discard(skip);
      return null;
    }
    const taken = this.records.slice(skip, skip + maxEvents);
    this.discard(skip + taken.length);
    const last = taken.at(-1)!;
    return { events: taken.map((r) => r.event), end: { segment: last.segment, offset: last.end } };
  }

  clear(): void {
    this.records = [];
    this.bytes = 0;
  }

  private discard(count: number): void {
    if (count === 0) return;
    for (let i = 0; i < count; i++) this.bytes -= size(this.records[i]!);
    this.records = this.records.slice(count);
  }
}

/** Encoded bytes of a record. */
const size = (r: HotRecord) => r.end - r.offset;

/** The record ends at or before the cursor: already handed out. */
const before = (r: HotRecord, cursor: SpoolPosition) =>
  r.segment < cursor.segment || (r.segment === cursor.segment && r.end <= cursor.offset);
