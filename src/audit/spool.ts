/**
 * The audit write-ahead spool: an append-only log on local disk that every event reaches before the
 * request that caused it completes, and that the shipper drains into ClickHouse.
 *
 * Layout (in `dir`):
 *   seg-000000000001.log …   segments of records, one per line: `<crc32 hex8> <json>\n`
 *   ack.json                 `{segment, offset}`: everything before it has been shipped (atomic rename)
 *   spool.lock               the pid owning the spool (one process per directory)
 *
 * Appends are group-committed: every record queued while a write is in flight shares the next
 * write + fdatasync, and each `append` resolves only after that fsync. Reads never go past the last
 * fsync'd byte. On open, a torn last line (a crash mid-write) is truncated away and a line whose
 * checksum does not match is skipped (and counted), never shipped. The spool is bounded: when the
 * unshipped bytes would exceed `maxBytes`, `append` rejects (see `AuditUnavailableError`).
 */
/* eslint-disable security/detect-non-literal-fs-filename -- every path is the spool directory under AIOPS_DATA_DIR plus a fixed file name */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { AuditUnavailableError, StoredEventSchema, type AuditEvent } from './event.js';
import { SpoolHotTail } from './spool-hot-tail.js';

/** Events kept decoded for the shipper (spool-hot-tail.ts): a few of its batches. */
const HOT_TAIL_EVENTS = 4096;
/** …and at most this many encoded bytes of them (large tool-call details during a ClickHouse outage). */
const HOT_TAIL_BYTES = 8 * 1024 * 1024;

export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolOptions {
  dir: string;
  /** Bound on unshipped bytes. */
  maxBytes: number;
  /** Segment rollover size (defaults to min(16 MiB, maxBytes / 4)). */
  segmentBytes?: number;
  /**
   * Events with no verified identity (401s) may only fill the spool up to this fraction, so that an
   * unauthenticated flood during a ClickHouse outage cannot lock out authenticated requests.
   */
  unauthenticatedShare?: number;
  /**
   * A new request's own event (its authorization decision) may only fill the spool up to this fraction
   * (default 0.95): the rest is kept for the events of actions already admitted (a remediation's
   * approval and execution steps, tool and model calls), so an action is never left half-recorded —
   * approved, say, but refused its `running` event — when the spool fills up under it.
   */
  requestShare?: number;
  onCorrupt?: (where: string) => void;
}

/**
 * Which bound an event is held to: `unauthenticated` (401s) the lowest, `request` (a new request's
 * authorization event) the next, `action` (what an admitted request goes on to record) the full spool.
 */
export type SpoolRoom = 'unauthenticated' | 'request' | 'action';

export interface SpoolBatch {
  events: AuditEvent[];
  /** Acknowledge this position once the events are stored. */
  end: SpoolPosition;
  /** The batch starts before the position the spool had when it was opened (a replay). */
  replayed: boolean;
}

export interface SpoolStats {
  depthEvents: number;
  depthBytes: number;
  maxBytes: number;
  full: boolean;
  corruptRecords: number;
}

interface Pending {
  line: Buffer;
  event: AuditEvent;
  resolve: () => void;
  reject: (err: Error) => void;
}

const SEGMENT = /^seg-(\d{12})\.log$/;
const segName = (n: number) => `seg-${String(n).padStart(12, '0')}.log`;
const cmp = (a: SpoolPosition, b: SpoolPosition) => a.segment - b.segment || a.offset - b.offset;
const READ_CHUNK = 1 << 20;

/** Events decoded between two turns of the event loop when the shipper reads a batch. */
const DECODE_SLICE = 64;

/** `<crc32 hex8> <json>\n` */
export function encodeRecord(event: AuditEvent): Buffer {
  const text = JSON.stringify(event);
  // One allocation: the JSON is written in place after the 9-byte head, then checksummed there.
  const length = Buffer.byteLength(text, 'utf8');
  const line = Buffer.allocUnsafe(RECORD_HEAD + length + 1);
  line.write(text, RECORD_HEAD, 'utf8');
  line.write(
    `${crc32(line.subarray(RECORD_HEAD, RECORD_HEAD + length))
      .toString(16)
      .padStart(8, '0')} `,
    0,
    'ascii',
  );
  line[RECORD_HEAD + length] = 0x0a;
  return line;
}

/** `<crc32 hex8> `: the bytes before a record's JSON. */
const RECORD_HEAD = 9;

/** Parses one line (without the newline); null when torn or corrupt. */
export function decodeRecord(line: Buffer): AuditEvent | null {
  if (line.length < 10 || line[8] !== 0x20) return null;
  const crc = Number.parseInt(line.subarray(0, 8).toString('ascii'), 16);
  const json = line.subarray(9);
  if (!Number.isFinite(crc) || crc32(json) !== crc) return null;
  try {
    const parsed = StoredEventSchema.safeParse(JSON.parse(json.toString('utf8')));
    return parsed.success ? (parsed.data as AuditEvent) : null;
  } catch {
    return null;
  }
}

export class Spool {
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private readonly unauthenticatedLimit: number;
  private readonly requestLimit: number;
  private readonly onCorrupt: (where: string) => void;
  private fd: fs.FileHandle | undefined;
  private active = 1;
  private activeSize = 0;
  /** Segment sizes of every unshipped (or partly shipped) segment. */
  private readonly sizes = new Map<number, number>();
  private ack: SpoolPosition = { segment: 1, offset: 0 };
  private readCursor: SpoolPosition = { segment: 1, offset: 0 };
  private durable: SpoolPosition = { segment: 1, offset: 0 };
  private openedAt: SpoolPosition = { segment: 1, offset: 0 };
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private flushing: Promise<void> | undefined;
  private depthEvents = 0;
  private corrupt = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly hot = new SpoolHotTail(HOT_TAIL_EVENTS, HOT_TAIL_BYTES);
  private lockPath: string;

  private constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes;
    this.segmentBytes = options.segmentBytes ?? Math.max(64 * 1024, Math.min(16 * 1024 * 1024, Math.floor(options.maxBytes / 4)));
    this.unauthenticatedLimit = Math.floor(options.maxBytes * (options.unauthenticatedShare ?? 0.8));
    this.requestLimit = Math.floor(options.maxBytes * (options.requestShare ?? 0.95));
    this.onCorrupt = options.onCorrupt ?? (() => {});
    this.lockPath = path.join(this.dir, 'spool.lock');
  }

  static async open(options: SpoolOptions): Promise<Spool> {
    const spool = new Spool(options);
    await fs.mkdir(options.dir, { recursive: true, mode: 0o700 });
    await spool.lock();
    try {
      await spool.recover();
    } catch (err) {
      await fs.rm(spool.lockPath, { force: true });
      throw err;
    }
    return spool;
  }

  /** One process per spool directory; a lock left by a dead process (kill -9) is taken over. */
  private async lock(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await fs.writeFile(this.lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number.parseInt(await fs.readFile(this.lockPath, 'utf8').catch(() => ''), 10);
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
          throw new Error(`audit spool ${this.dir} is in use by process ${owner}`);
        }
        if (owner === process.pid) throw new Error(`audit spool ${this.dir} is already open in this process`);
        await fs.rm(this.lockPath, { force: true });
      }
    }
    throw new Error(`could not lock audit spool ${this.dir}`);
  }

  private async recover(): Promise<void> {
    this.ack = await this.readAck();
    const segments = (await fs.readdir(this.dir))
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const s of segments.filter((s) => s < this.ack.segment)) await fs.rm(this.segPath(s), { force: true });
    const live = segments.filter((s) => s >= this.ack.segment);
    if (live.length === 0) live.push(this.ack.segment);
    for (const s of live) {
      const size = await fs.stat(this.segPath(s)).then(
        (st) => st.size,
        () => 0,
      );
      this.sizes.set(s, size);
    }
    this.active = live[live.length - 1]!;
    // Truncate a torn tail of the active segment and count what is still to ship.
    for (const s of live) {
      const from = s === this.ack.segment ? this.ack.offset : 0;
      const { validEnd, count } = await this.scan(s, from);
      this.depthEvents += count;
      if (s === this.active && validEnd < this.sizes.get(s)!) {
        const fh = await fs.open(this.segPath(s), 'r+');
        await fh.truncate(validEnd);
        await fh.sync();
        await fh.close();
        this.sizes.set(s, validEnd);
      }
    }
    if (this.ack.offset > (this.sizes.get(this.ack.segment) ?? 0))
      this.ack = { segment: this.ack.segment, offset: this.sizes.get(this.ack.segment) ?? 0 };
    this.fd = await fs.open(this.segPath(this.active), constants.O_CREAT | constants.O_WRONLY | constants.O_APPEND, 0o600);
    await this.syncDir();
    this.activeSize = this.sizes.get(this.active) ?? 0;
    this.sizes.set(this.active, this.activeSize);
    this.durable = { segment: this.active, offset: this.activeSize };
    this.openedAt = { ...this.durable };
    this.readCursor = { ...this.ack };
  }

  /** Counts valid records from `from`; `validEnd` is the end of the last complete, valid line. */
  private async scan(segment: number, from: number): Promise<{ validEnd: number; count: number }> {
    let validEnd = from;
    let count = 0;
    const fh = await fs.open(this.segPath(segment), 'r').catch(() => undefined);
    if (!fh) return { validEnd: 0, count: 0 };
    try {
      let pos = from;
      let carry = Buffer.alloc(0);
      for (;;) {
        const buf = Buffer.alloc(READ_CHUNK);
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        let data = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
        let nl: number;
        while ((nl = data.indexOf(0x0a)) >= 0) {
          const line = data.subarray(0, nl);
          if (decodeRecord(line)) count++;
          else {
            this.corrupt++;
            this.onCorrupt(`${segName(segment)}@${validEnd}`);
          }
          validEnd += nl + 1;
          data = data.subarray(nl + 1);
        }
        carry = Buffer.from(data);
      }
    } finally {
      await fh.close();
    }
    return { validEnd, count };
  }

  private async readAck(): Promise<SpoolPosition> {
    try {
      const raw = JSON.parse(await fs.readFile(path.join(this.dir, 'ack.json'), 'utf8')) as Partial<SpoolPosition>;
      if (Number.isSafeInteger(raw.segment) && raw.segment! > 0 && Number.isSafeInteger(raw.offset) && raw.offset! >= 0) {
        return { segment: raw.segment!, offset: raw.offset! };
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onCorrupt('ack.json');
    }
    return { segment: 1, offset: 0 };
  }

  private segPath(n: number): string {
    return path.join(this.dir, segName(n));
  }

  private async syncDir(): Promise<void> {
    const dh = await fs.open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  /** Unshipped bytes on disk plus bytes queued for the next write. */
  get depthBytes(): number {
    let total = 0;
    for (const [s, size] of this.sizes) total += s === this.ack.segment ? size - this.ack.offset : size;
    return total + this.queuedBytes;
  }

  stats(): SpoolStats {
    const depthBytes = this.depthBytes;
    return {
      depthEvents: this.depthEvents + this.queue.length,
      depthBytes,
      maxBytes: this.maxBytes,
      full: depthBytes >= this.maxBytes * 0.999 || this.fullSince !== undefined,
      corruptRecords: this.corrupt,
    };
  }

  /** Set when an append was refused for lack of room; cleared once the spool drains below 90 %. */
  private fullSince: number | undefined;

  /**
   * Appends one event; resolves when it is fsync'd. Events are held to the bound of their `room`:
   * unauthenticated ones (no verified identity) are refused first, above the unauthenticated share,
   * a new request's event above the request share, an admitted action's events only when the spool
   * is full.
   */
  append(event: AuditEvent, room: SpoolRoom = 'action'): Promise<void> {
    if (this.closed) return Promise.reject(new AuditUnavailableError('closed', 'the audit spool is closed'));
    const line = encodeRecord(event);
    const limit = room === 'unauthenticated' ? this.unauthenticatedLimit : room === 'request' ? this.requestLimit : this.maxBytes;
    if (this.depthBytes + line.length > limit) {
      if (room !== 'unauthenticated') this.fullSince ??= Date.now();
      return Promise.reject(
        new AuditUnavailableError(
          room === 'unauthenticated' ? 'high_water' : 'spool_full',
          `audit spool is full (${this.depthBytes} of ${this.maxBytes} bytes unshipped)`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line, event, resolve, reject });
      this.queuedBytes += line.length;
      if (!this.flushing) this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flushLoop());
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        const bytes = group.reduce((n, p) => n + p.line.length, 0);
        try {
          await this.writeGroup(
            Buffer.concat(
              group.map((p) => p.line),
              bytes,
            ),
          );
          this.queuedBytes -= bytes;
          this.depthEvents += group.length;
          // writeGroup rotates before writing, so the whole group ends at the durable position.
          this.hot.add(
            this.durable.segment,
            this.durable.offset - bytes,
            group.map((p) => ({ event: p.event, bytes: p.line.length })),
          );
          for (const p of group) p.resolve();
          this.wake();
        } catch (err) {
          this.queuedBytes -= bytes;
          const failure = new AuditUnavailableError('io_error', `audit spool write failed: ${(err as Error).message}`);
          for (const p of group) p.reject(failure);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async writeGroup(data: Buffer): Promise<void> {
    if (this.activeSize > 0 && this.activeSize + data.length > this.segmentBytes) await this.rotate();
    const fd = this.fd!;
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await fd.write(data, written, data.length - written);
        written += bytesWritten;
      }
      await fd.datasync();
    } catch (err) {
      // Drop whatever part of the group reached the file, so the log stays line-aligned.
      await fd.truncate(this.activeSize).catch(() => {});
      throw err;
    }
    this.activeSize += data.length;
    this.sizes.set(this.active, this.activeSize);
    this.durable = { segment: this.active, offset: this.activeSize };
  }

  private async rotate(): Promise<void> {
    await this.fd!.close();
    this.active += 1;
    this.activeSize = 0;
    this.fd = await fs.open(this.segPath(this.active), constants.O_CREAT | constants.O_WRONLY | constants.O_APPEND, 0o600);
    this.sizes.set(this.active, 0);
    await this.syncDir();
  }

  /** Up to `maxEvents` durable, not yet handed out events, from the read cursor on. */
  async readBatch(maxEvents: number, maxBytes = 8 * 1024 * 1024): Promise<SpoolBatch> {
    const start = { ...this.readCursor };
    const hot = this.hot.take(start, maxEvents, (segment) => this.sizes.get(segment));
    if (hot) {
      this.readCursor = hot.end;
      return { events: hot.events, end: hot.end, replayed: cmp(start, this.openedAt) < 0 };
    }
    const events: AuditEvent[] = [];
    let cursor = { ...this.readCursor };
    while (events.length < maxEvents && cmp(cursor, this.durable) < 0) {
      const segEnd = cursor.segment === this.durable.segment ? this.durable.offset : (this.sizes.get(cursor.segment) ?? 0);
      if (cursor.offset >= segEnd) {
        if (cursor.segment >= this.durable.segment) break;
        cursor = { segment: cursor.segment + 1, offset: 0 };
        continue;
      }
      const want = Math.min(segEnd - cursor.offset, maxBytes);
      const buf = Buffer.alloc(want);
      const fh = await fs.open(this.segPath(cursor.segment), 'r');
      let got: number;
      try {
        ({ bytesRead: got } = await fh.read(buf, 0, want, cursor.offset));
      } finally {
        await fh.close();
      }
      let consumed = 0;
      let nl: number;
      while (events.length < maxEvents && (nl = buf.indexOf(0x0a, consumed)) >= 0 && nl < got) {
        // Decoding is a checksum, a parse and a schema check per event (~7 µs): a full batch in one go
        // held the event loop for milliseconds, which every request waiting then paid (the p99).
        if (events.length > 0 && events.length % DECODE_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
        const event = decodeRecord(buf.subarray(consumed, nl));
        if (event) events.push(event);
        else if (cmp({ segment: cursor.segment, offset: cursor.offset + consumed }, this.openedAt) >= 0) {
          // Written by this process yet unreadable (disk corruption); older ones were counted at open.
          this.corrupt++;
          this.depthEvents = Math.max(0, this.depthEvents - 1);
          this.onCorrupt(`${segName(cursor.segment)}@${cursor.offset + consumed}`);
        }
        consumed = nl + 1;
      }
      if (consumed === 0) {
        // One record larger than maxBytes: read it whole next time.
        if (want === segEnd - cursor.offset) break;
        return this.readBatch(maxEvents, maxBytes * 2);
      }
      cursor = { segment: cursor.segment, offset: cursor.offset + consumed };
      if (got < want || consumed < got) break;
    }
    this.readCursor = cursor;
    return { events, end: cursor, replayed: cmp(start, this.openedAt) < 0 };
  }

  /** Rewinds the read cursor to the last acknowledged position (after a failed shipment). */
  rewind(): void {
    this.readCursor = { ...this.ack };
  }

  /** Marks everything before `position` shipped: persists the ack (atomic rename) and deletes spent segments. */
  async acknowledge(position: SpoolPosition, events: number): Promise<void> {
    if (cmp(position, this.ack) <= 0) return;
    const tmp = path.join(this.dir, 'ack.json.tmp');
    const fh = await fs.open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(JSON.stringify(position));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, path.join(this.dir, 'ack.json'));
    this.ack = { ...position };
    this.depthEvents = Math.max(0, this.depthEvents - events);
    for (const s of [...this.sizes.keys()]) {
      if (s < position.segment) {
        this.sizes.delete(s);
        await fs.rm(this.segPath(s), { force: true });
      }
    }
    if (this.fullSince !== undefined && this.depthBytes < this.maxBytes * 0.9) this.fullSince = undefined;
  }

  /** True when durable events are waiting to be read. */
  get hasUnread(): boolean {
    return cmp(this.readCursor, this.durable) < 0;
  }

  /** Resolves when new durable data arrives (or after `ms`). */
  waitForData(ms: number): Promise<void> {
    if (this.hasUnread || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits for queued appends to be written, then closes the file and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.flushing) await this.flushing;
    this.closed = true;
    this.hot.clear();
    this.wake();
    await this.fd?.close();
    await fs.rm(this.lockPath, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
