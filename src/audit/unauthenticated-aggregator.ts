/**
 * Failed authentications (401s) come from callers nobody has verified, so one client can send thousands
 * a second. Each is still accounted for, but a flood costs a bounded number of audit rows. Per
 * (source IP, reason, clock minute):
 *  - the first failure is recorded at once, as before, with `details.count = 1`;
 *  - the following ones are only counted; at the end of the minute (and on close) one row records them,
 *    `details.count = n`, `first_at`/`last_at` (ms), the first counted request standing for the rest
 *    (its route, resource, request id).
 * So the sum of `count` over the rows equals the number of 401s. Memory is bounded: past `maxKeys`
 * keys, failures from new sources are counted in one overflow key per reason (`source_ip` empty,
 * `details.overflow = true`), recorded at the end of the minute.
 */
import type { AuditEventInput } from './event.js';

export type UnauthenticatedEventInput = Extract<AuditEventInput, { event_type: 'authorization' }>;

export interface UnauthenticatedAggregatorOptions {
  /** Makes one event durable (the pipeline's spool append for events without identity). */
  record(event: UnauthenticatedEventInput): Promise<void>;
  /** Keys (source, reason, minute) held at once; about 1 KiB each. */
  maxKeys: number;
  now?: () => number;
}

interface Counted {
  representative: UnauthenticatedEventInput;
  count: number;
  firstAt: number;
  lastAt: number;
}

interface Entry {
  minute: number;
  /** Failures after the first one (the overflow keys have no first one: everything is counted). */
  counted?: Counted;
  overflow: boolean;
  reason: string;
}

const MINUTE_MS = 60_000;
/** Reasons are a closed set (AuthFailureReason); this only guards the overflow map against anything else. */
const MAX_OVERFLOW_REASONS = 64;

export class UnauthenticatedAggregator {
  private readonly entries = new Map<string, Entry>();
  private readonly overflow = new Map<string, Entry>();
  private readonly pending = new Set<Promise<void>>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private currentMinute = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly options: UnauthenticatedAggregatorOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Resolves when the event is durable (first of its key) or counted (the others). */
  add(event: UnauthenticatedEventInput): Promise<void> {
    if (this.closed) return this.options.record({ ...event, details: { ...event.details, count: 1 } });
    const at = this.now();
    const minute = Math.floor(at / MINUTE_MS);
    if (minute > this.currentMinute) {
      this.currentMinute = minute;
      this.flushBefore(minute); // normally done by the timer already
    }
    const reason = event.details.reason;
    const key = `${minute}|${reason}|${event.source_ip ?? ''}`;
    const known = this.entries.get(key);
    if (known) {
      count(known, event, at);
      return Promise.resolve();
    }
    if (this.entries.size >= this.options.maxKeys) {
      const overflowReason = this.overflow.has(`${minute}|${reason}`) || this.overflow.size < MAX_OVERFLOW_REASONS ? reason : 'other';
      const overflowKey = `${minute}|${overflowReason}`;
      let entry = this.overflow.get(overflowKey);
      if (!entry) {
        entry = { minute, overflow: true, reason: overflowReason };
        this.overflow.set(overflowKey, entry);
      }
      count(entry, event, at);
      this.schedule();
      return Promise.resolve();
    }
    this.entries.set(key, { minute, overflow: false, reason });
    this.schedule();
    return this.options.record({ ...event, timestamp: event.timestamp ?? at, details: { ...event.details, count: 1 } });
  }

  /** Held keys and counted failures not yet recorded (for tests and metrics). */
  stats(): { keys: number; overflowKeys: number; uncounted: number } {
    let uncounted = 0;
    for (const e of [...this.entries.values(), ...this.overflow.values()]) uncounted += e.counted?.count ?? 0;
    return { keys: this.entries.size, overflowKeys: this.overflow.size, uncounted };
  }

  /** Records every counted failure now (the current minute too) and stops aggregating. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushBefore(Number.POSITIVE_INFINITY);
    await Promise.allSettled([...this.pending]);
  }

  /** Records the aggregated rows of every minute before `minute` and forgets those keys. */
  private flushBefore(minute: number): void {
    for (const map of [this.entries, this.overflow]) {
      for (const [key, entry] of map) {
        if (entry.minute >= minute) continue;
        map.delete(key);
        if (entry.counted) this.write(entry, entry.counted);
      }
    }
  }

  private write(entry: Entry, c: Counted): void {
    const rep = c.representative;
    const event: UnauthenticatedEventInput = {
      ...rep,
      event_id: undefined,
      timestamp: c.firstAt,
      source_ip: entry.overflow ? '' : rep.source_ip,
      details: {
        ...rep.details,
        reason: entry.reason,
        count: c.count,
        first_at: c.firstAt,
        last_at: c.lastAt,
        ...(entry.overflow ? { overflow: true } : {}),
      },
    };
    // A refusal (spool above its high-water mark) is logged and counted by the pipeline.
    const p = this.options
      .record(event)
      .catch(() => {})
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** One timer, at the next minute boundary, while anything is held. */
  private schedule(): void {
    if (this.timer || this.closed) return;
    const delay = MINUTE_MS - (this.now() % MINUTE_MS) + 5;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushBefore(Math.floor(this.now() / MINUTE_MS));
      if (this.entries.size > 0 || this.overflow.size > 0) this.schedule();
    }, delay);
    this.timer.unref();
  }
}

function count(entry: Entry, event: UnauthenticatedEventInput, at: number): void {
  if (entry.counted) {
    entry.counted.count += 1;
    entry.counted.lastAt = at;
  } else {
    entry.counted = { representative: event, count: 1, firstAt: at, lastAt: at };
  }
}
