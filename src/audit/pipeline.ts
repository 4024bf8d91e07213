/**
 * The audit pipeline: spool + shipper + reader behind the `AuditLog` interface. One pipeline per
 * data directory per process (reference-counted: several apps built in one process on the same
 * directory share it, like chDB's one-data-dir rule), created by the composition root.
 */
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { normalizeEvent, type AuditEvent, type AuditLog } from './event.js';
import { AuditReader } from './reader.js';
import { detectDialect, migrate, type Dialect } from './schema.js';
import { Shipper, type ShipperLogger, type ShipperStats } from './shipper.js';
import { Spool, type SpoolStats } from './spool.js';
import { UnauthenticatedAggregator, type UnauthenticatedEventInput } from './unauthenticated-aggregator.js';

/** Keys (source, reason, minute) of 401 aggregation held at once: about 10 MiB at most. */
export const UNAUTHENTICATED_MAX_KEYS = 10_000;

export interface AuditPipelineOptions {
  /** `<AIOPS_DATA_DIR>/audit`; the spool lives in `<dir>/spool`. */
  dir: string;
  database: string;
  spoolMaxBytes: number;
  llmTtlDays: number;
  batchMaxEvents: number;
  /** Pause after a batch that was not full (default 0: ship as soon as events arrive). */
  shipIntervalMs?: number;
  retryMaxMs: number;
  /** First backoff delay (default 100 ms; doubled per failure up to retryMaxMs). */
  retryBaseMs?: number;
  /** Shipping is "failing" (readiness degraded) after this long without success. */
  failingAfterMs: number;
  /** On close, keep shipping for at most this long so the spool is left empty when possible. */
  drainOnCloseMs: number;
  log: ShipperLogger;
  /** Bound of the 401 aggregation (default UNAUTHENTICATED_MAX_KEYS). */
  unauthenticatedMaxKeys?: number;
}

export interface AuditStatus {
  spool: SpoolStats;
  shipper: ShipperStats;
  /** Events refused since start (spool full, high-water mark for unauthenticated events, I/O error). */
  rejected: number;
  /** Why readiness should be degraded, if it should. */
  problem?: string;
}

export interface AuditPipeline extends AuditLog {
  /**
   * Records an event with no verified identity (a 401): aggregated per source, reason and minute (see
   * unauthenticated-aggregator.ts), refused above the spool's high-water mark.
   */
  recordUnauthenticated(event: UnauthenticatedEventInput): Promise<void>;
  reader: AuditReader;
  status(): AuditStatus;
  /** The server's dialect once the schema is ready (waits up to `timeoutMs`). */
  schemaReady(timeoutMs: number): Promise<Dialect>;
  /** ClickHouse was seen answering (a readiness probe): a shipper waiting out a backoff retries now. */
  retryNow(): void;
  close(): Promise<void>;
}

interface Shared {
  pipeline: AuditPipeline;
  refs: number;
  client: ClickHouseClient;
  shutdown(): Promise<void>;
}

const open = new Map<string, Promise<Shared>>();

/**
 * Opens (or joins) the pipeline for `options.dir`. `connect` is called only when a new pipeline is
 * created; `release` is called when the last user closes it.
 */
export async function openAuditPipeline(
  options: AuditPipelineOptions,
  connect: () => Promise<{ client: ClickHouseClient; release: () => Promise<void> }>,
): Promise<AuditPipeline> {
  const key = path.resolve(options.dir);
  let entry = open.get(key);
  if (!entry) {
    entry = create(options, connect);
    open.set(key, entry);
    entry.catch(() => open.delete(key));
  }
  const shared = await entry;
  shared.refs += 1;
  let closed = false;
  return {
    ...shared.pipeline,
    close: async () => {
      if (closed) return;
      closed = true;
      shared.refs -= 1;
      if (shared.refs === 0) {
        open.delete(key);
        await shared.shutdown();
      }
    },
  };
}

async function create(
  options: AuditPipelineOptions,
  connect: () => Promise<{ client: ClickHouseClient; release: () => Promise<void> }>,
): Promise<Shared> {
  const spool = await Spool.open({
    dir: path.join(options.dir, 'spool'),
    maxBytes: options.spoolMaxBytes,
    onCorrupt: (where) => options.log.error({ where }, 'audit: unreadable spool record skipped (checksum mismatch)'),
  });
  let connection: { client: ClickHouseClient; release: () => Promise<void> };
  try {
    connection = await connect();
  } catch (err) {
    await spool.close();
    throw err;
  }
  const { client } = connection;
  const shipper = new Shipper(
    spool,
    client,
    {
      database: options.database,
      llmTtlDays: options.llmTtlDays,
      batchMaxEvents: options.batchMaxEvents,
      ...(options.shipIntervalMs ? { shipIntervalMs: options.shipIntervalMs } : {}),
      retryMaxMs: options.retryMaxMs,
      ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    },
    options.log,
  );
  shipper.start();

  let dialect: Promise<Dialect> | undefined;
  const schemaReady = (timeoutMs: number): Promise<Dialect> => {
    const known = shipper.snapshot().dialect;
    if (known) return Promise.resolve(known);
    dialect ??= (async () => {
      const d = await detectDialect(client);
      await migrate(client, d, { database: options.database, llmTtlDays: options.llmTtlDays });
      return d;
    })();
    dialect.catch(() => (dialect = undefined));
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      dialect,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`ClickHouse did not answer within ${timeoutMs} ms`)), timeoutMs)),
      ),
    ]).finally(() => clearTimeout(timer));
  };

  let rejectedLogged = 0;
  const rejected = { count: 0 };
  const refuse = (err: unknown, event: AuditEvent): never => {
    const now = Date.now();
    if (now - rejectedLogged > 10_000) {
      rejectedLogged = now;
      options.log.error({ err: (err as Error).message, event_type: event.event_type, spool: spool.stats() }, 'audit: event refused');
    }
    rejected.count += 1;
    throw err;
  };

  const unauthenticated = new UnauthenticatedAggregator({
    maxKeys: options.unauthenticatedMaxKeys ?? UNAUTHENTICATED_MAX_KEYS,
    record: async (input) => {
      const event = normalizeEvent(input);
      await spool.append(event, 'unauthenticated').catch((err: unknown) => refuse(err, event));
    },
  });

  const pipeline: AuditPipeline = {
    record: async (input) => {
      const event = normalizeEvent(input);
      // A request's authorization decision is held to a lower bound than what an admitted action records next (see spool.ts).
      await spool.append(event, event.event_type === 'authorization' ? 'request' : 'action').catch((err: unknown) => refuse(err, event));
    },
    recordUnauthenticated: (input) => unauthenticated.add(input),
    reader: new AuditReader(client, options.database, () => schemaReady(5000)),
    status: () => {
      const s = spool.stats();
      const sh = shipper.snapshot();
      let problem: string | undefined;
      if (s.full) problem = `audit spool is full (${s.depthBytes} of ${s.maxBytes} bytes unshipped); new events are refused`;
      else if (sh.failingSince !== undefined && Date.now() - sh.failingSince >= options.failingAfterMs) {
        problem = `shipping to ClickHouse has failed for ${Math.round((Date.now() - sh.failingSince) / 1000)} s (${sh.lastError ?? 'error'}); ${s.depthEvents} events wait in the spool`;
      }
      return { spool: s, shipper: sh, rejected: rejected.count, ...(problem ? { problem } : {}) };
    },
    schemaReady,
    retryNow: () => shipper.retryNow(),
    close: async () => {},
  };

  return {
    pipeline,
    refs: 0,
    client,
    shutdown: async () => {
      await unauthenticated.close(); // the counted 401s reach the spool before it closes
      await shipper.stop(options.drainOnCloseMs);
      await spool.close().catch(() => {});
      await connection.release();
    },
  };
}
