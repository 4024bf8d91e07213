/**
 * Part of the composition root: notifications. Channel settings live in PostgreSQL (DATABASE_URL) or
 * SQLite under AIOPS_DATA_DIR; deliveries run on BullMQ over Redis (REDIS_URL: every replica works the
 * queue, a job survives restarts) or in process. The event sources are connected in
 * notification-sources.ts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { AuditLog } from '../audit/event.js';
import type { Config } from '../config.js';
import { NotificationSettingsStore } from '../notify/channel-store.js';
import { DestinationPolicy } from '../notify/destination-policy.js';
import { Notifier } from '../notify/notifier.js';
import { BullDeliveryQueue, MemoryDeliveryQueue } from '../notify/queues.js';
import { postgresDriver, sqliteDriver } from '../storage/sql-drivers.js';
import type { BuildOptions } from './build-options.js';

export interface Notify {
  settings: NotificationSettingsStore;
  policy: DestinationPolicy;
  notifier: Notifier;
  close(): Promise<void>;
}

export function buildNotify(
  config: Config,
  deps: { audit: AuditLog; registry: Registry; postgres?: pg.Pool; warn: (m: string) => void; options: BuildOptions },
): Notify {
  let settings: NotificationSettingsStore;
  if (deps.postgres) settings = new NotificationSettingsStore(postgresDriver(deps.postgres, { dependency: 'monitor_store' }));
  else {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the configured AIOPS_DATA_DIR
    mkdirSync(config.dataDir, { recursive: true });
    const db = new BetterSqlite3(path.join(config.dataDir, 'notifications.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    settings = new NotificationSettingsStore(sqliteDriver(db));
  }
  const policy = new DestinationPolicy(config.notify.allowedHosts);
  const retry = { attempts: config.notify.maxAttempts, backoffMs: deps.options.notifyBackoffMs ?? 2000 };
  const url = config.redisUrl;
  const queue = url
    ? new BullDeliveryQueue({
        connect: () => new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 100, 500) }),
        prefix: deps.options.monitorQueuePrefix ?? config.monitor.queuePrefix,
        retry,
        concurrency: 16,
        warn: deps.warn,
      })
    : new MemoryDeliveryQueue(retry);
  const notifier = new Notifier({
    settings,
    queue,
    audit: deps.audit,
    registry: deps.registry,
    deliver: { policy, publicUrl: config.notify.publicUrl, timeoutMs: config.notify.timeoutMs },
    warn: deps.warn,
  });
  return {
    settings,
    policy,
    notifier,
    close: async () => {
      await notifier.close();
      await settings.close();
    },
  };
}
