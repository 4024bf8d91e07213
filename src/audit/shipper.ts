/**
 * Drains the spool into ClickHouse in batches. Loop: (re)connect and migrate → read a batch → insert
 * `audit_events` rows (and `aiops_logs` rows for LLM calls) → acknowledge the batch in the spool.
 * A failure rewinds to the last acknowledgement and retries with exponential backoff and jitter;
 * nothing is dropped. Batches whose delivery is uncertain (a retry after an error, or events found
 * in the spool at start) first ask ClickHouse which of their event ids are already stored and insert
 * only the others, so a retried batch lands once; ReplacingMergeTree + FINAL reads are the backstop.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { AuditEvent } from './event.js';
import { auditRow, detectDialect, llmRow, migrate, type Dialect, type SchemaOptions } from './schema.js';
import { i64, identifier, render, sql, strings, u64, type Sql } from './sql.js';
import type { Spool } from './spool.js';

/** While shipping fails, ClickHouse is pinged this often (a cheap `/ping`) to notice its return. */
const RETURN_PROBE_MS = 250;

export interface ShipperOptions extends SchemaOptions {
  batchMaxEvents: number;
  /** Backoff cap. */
  retryMaxMs: number;
  retryBaseMs?: number;
  /** How long an idle shipper waits for new events before polling again. */
  idleWaitMs?: number;
  /**
   * After shipping a batch that was not full, wait this long before reading the next: under a steady
   * trickle of requests each insert would otherwise carry a handful of events, and an insert's fixed
   * cost (embedded chDB: most of the audit's CPU per request) would be paid per handful. A full batch
   * (a backlog) ships on at once. Durability is the spool's, so this only delays the ClickHouse copy.
   */
  shipIntervalMs?: number;
}

export interface ShipperStats {
  shipped: number;
  /** Events in failed attempts (an attempt that failed before reading a batch — connect, schema — counts none). */
  failed: number;
  /** Failed attempts of any kind, connecting and migrating included: the outage seen even with nothing read yet. */
  failedAttempts: number;
  duplicatesSkipped: number;
  consecutiveFailures: number;
  /** Since when shipping keeps failing (ms epoch), when it does. */
  failingSince?: number;
  lastError?: string;
  dialect?: Dialect;
}

export interface ShipperLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class Shipper {
  private readonly stats: ShipperStats = { shipped: 0, failed: 0, failedAttempts: 0, duplicatesSkipped: 0, consecutiveFailures: 0 };
  private dialect: Dialect | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private uncertain = false;
  private sleeper: { timer: NodeJS.Timeout; resolve: (early: boolean) => void } | undefined;

  constructor(
    private readonly spool: Spool,
    private readonly client: ClickHouseClient,
    private readonly options: ShipperOptions,
    private readonly log: ShipperLogger,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  snapshot(): ShipperStats {
    return { ...this.stats, ...(this.dialect ? { dialect: this.dialect } : {}) };
  }

  /** Ships what is in the spool until it is empty or `deadlineMs` passes, then stops the loop. */
  async stop(deadlineMs = 0): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (deadlineMs > 0 && this.spool.stats().depthEvents > 0 && Date.now() < until && this.stats.consecutiveFailures === 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    this.stopping = true;
    this.wakeUp();
    await this.running;
  }

  /**
   * Retries at once if the loop is waiting out a backoff: someone saw ClickHouse answer again (a
   * readiness probe), so waiting longer would only keep a full spool — and the API — shut.
   */
  retryNow(): void {
    if (!this.stopping && this.stats.consecutiveFailures > 0) this.wakeUp();
  }

  private wakeUp(): void {
    if (this.sleeper) {
      clearTimeout(this.sleeper.timer);
      this.sleeper.resolve(true);
      this.sleeper = undefined;
    }
  }

  /** Resolves true when woken early (retryNow, stop), false when the time is up. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.sleeper = {
        timer: setTimeout(() => {
          this.sleeper = undefined;
          resolve(false);
        }, ms),
        resolve,
      };
    });
  }

  /**
   * Waits out a backoff, pinging ClickHouse every RETURN_PROBE_MS meanwhile: the wait ends as soon as
   * it answers, so shipping (and a full spool) resumes within about that long of its return, however
   * long the backoff had grown and whether or not a readiness probe happens to look.
   */
  private async backoff(ms: number): Promise<void> {
    const until = Date.now() + ms;
    for (;;) {
      const left = until - Date.now();
      if (left <= 0 || this.stopping) return;
      if (await this.sleep(Math.min(left, RETURN_PROBE_MS))) return;
      if (left > RETURN_PROBE_MS && (await this.answers())) return;
    }
  }

  private async answers(): Promise<boolean> {
    const result = await this.client
      .ping({ select: false, abort_signal: AbortSignal.timeout(RETURN_PROBE_MS) })
      .catch(() => ({ success: false }));
    return result.success;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let attempted = 0;
      try {
        if (!this.dialect) {
          const dialect = await detectDialect(this.client);
          const applied = await migrate(this.client, dialect, this.options);
          this.dialect = dialect;
          this.log.info({ version: dialect.version, dialect: dialect.kind, applied }, 'audit: ClickHouse schema ready');
        }
        const batch = await this.spool.readBatch(this.options.batchMaxEvents);
        if (batch.events.length === 0) {
          await this.spool.waitForData(this.options.idleWaitMs ?? 1000);
          continue;
        }
        attempted = batch.events.length;
        const check = this.uncertain || batch.replayed;
        await this.ship(batch.events, this.dialect, check);
        await this.spool.acknowledge(batch.end, batch.events.length);
        this.stats.shipped += batch.events.length;
        if (this.stats.consecutiveFailures > 0)
          this.log.info({ after: this.stats.consecutiveFailures }, 'audit: shipping to ClickHouse recovered');
        this.stats.consecutiveFailures = 0;
        delete this.stats.failingSince;
        delete this.stats.lastError;
        this.uncertain = false;
        if (this.options.shipIntervalMs && batch.events.length < this.options.batchMaxEvents) await this.sleep(this.options.shipIntervalMs);
      } catch (err) {
        this.spool.rewind();
        this.uncertain = true;
        const depth = this.spool.stats().depthEvents;
        this.stats.failed += attempted;
        this.stats.failedAttempts += 1;
        this.stats.consecutiveFailures += 1;
        this.stats.failingSince ??= Date.now();
        this.stats.lastError = shortError(err);
        // A restarted server may be a different version: detect again before the next attempt.
        this.dialect = undefined;
        const n = this.stats.consecutiveFailures;
        if (n === 1 || n % 10 === 0)
          this.log.warn(
            { err: this.stats.lastError, attempt: n, spool_depth: depth },
            'audit: shipping to ClickHouse failed; events stay in the spool',
          );
        if (this.stopping) break;
        const base = this.options.retryBaseMs ?? 100;
        const delay = Math.min(this.options.retryMaxMs, base * 2 ** Math.min(n - 1, 16));
        await this.backoff(delay / 2 + Math.random() * (delay / 2));
      }
    }
  }

  private async ship(events: AuditEvent[], dialect: Dialect, check: boolean): Promise<void> {
    const db = this.options.database;
    let audit = events;
    let llm = events.filter((e) => e.event_type === 'llm_call');
    if (check) {
      const present = await this.existing('audit_events', events, dialect);
      audit = events.filter((e) => !present.has(e.event_id));
      if (llm.length > 0) {
        const presentLlm = await this.existing('aiops_logs', llm, dialect);
        llm = llm.filter((e) => !presentLlm.has(e.event_id));
      }
      this.stats.duplicatesSkipped += events.length - audit.length;
    }
    if (audit.length > 0) {
      await this.client.insert({ table: `${db}.audit_events`, values: audit.map((e) => auditRow(e, dialect)), format: 'JSONEachRow' });
    }
    if (llm.length > 0) {
      await this.client.insert({ table: `${db}.aiops_logs`, values: llm.map((e) => llmRow(e, dialect)), format: 'JSONEachRow' });
    }
  }

  /** Which of these events' ids are already stored (bounded by the batch's time range so partitions prune). */
  private async existing(table: 'audit_events' | 'aiops_logs', events: AuditEvent[], dialect: Dialect): Promise<Set<string>> {
    const min = Math.min(...events.map((e) => e.timestamp));
    const max = Math.max(...events.map((e) => e.timestamp));
    const t = sql`${identifier(this.options.database)}.${identifier(table)}`;
    const range: Sql =
      dialect.kind === 'modern'
        ? sql`timestamp BETWEEN fromUnixTimestamp64Milli(${i64(min)}, 'UTC') AND fromUnixTimestamp64Milli(${i64(max)}, 'UTC')`
        : sql`timestamp_ms BETWEEN ${u64(min)} AND ${u64(max)}`;
    const q = render(
      sql`SELECT event_id FROM ${t} WHERE ${range} AND has(${strings(events.map((e) => e.event_id))}, event_id)`,
      dialect.params,
    );
    const rs = await this.client.query({ ...q, format: 'JSONEachRow' });
    return new Set((await rs.json<{ event_id: string }>()).map((r) => r.event_id));
  }
}

function shortError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  return String(e.cause?.code ?? e.code ?? e.message ?? 'error')
    .split('\n')[0]!
    .slice(0, 200);
}
