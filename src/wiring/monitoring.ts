/**
 * Part of the composition root: the monitoring loop. Alerts and incidents live in PostgreSQL when
 * DATABASE_URL is set (every replica serves the same ones), otherwise in SQLite under AIOPS_DATA_DIR.
 * Ticks come from BullMQ when REDIS_URL is set (once per workspace per interval across replicas),
 * otherwise from the in-process scheduler. Workspaces are MONITOR_WORKSPACES, or discovered: the
 * tenant label's values in Prometheus over the last day, or the embedded demo workspaces.
 * Investigations are analysis runs as the monitor's own identity, which holds only aiops:read and
 * aiops:analyze in the incident's workspace.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { AnalysisRuns } from '../../agents/runs.js';
import type { AuditLog } from '../audit/event.js';
import type { AuthContext } from '../auth/auth-context.js';
import { PrometheusClient } from '../clients/prometheus.js';
import type { Config } from '../config.js';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { demoWorkspaces } from '../metrics/scenarios/index.js';
import { AlertmanagerIntake } from '../monitoring/alertmanager-intake.js';
import { BullMonitorScheduler } from '../monitoring/bullmq-scheduler.js';
import type { AlertmanagerWebhookOptions } from '../routes/alertmanager-webhook.js';
import type { RateLimitsOptions } from '../plugins/rate-limits.js';
import { WorkspaceEvaluator } from '../monitoring/evaluate-workspace.js';
import { IncidentBook, MONITOR_SUBJECT, type Investigator } from '../monitoring/incident-book.js';
import { LocalMonitorScheduler } from '../monitoring/local-scheduler.js';
import { MemoryOverlapLock, MonitorLoop } from '../monitoring/monitor-loop.js';
import { MonitorMetrics } from '../monitoring/monitor-metrics.js';
import { SqlMonitorStore } from '../monitoring/monitor-store.js';
import { metricsObserver } from '../monitoring/observe.js';
import type { MonitorScheduler, WorkspaceDiscovery } from '../monitoring/scheduler.js';
import { postgresDriver, sqliteDriver } from '../storage/sql-drivers.js';
import type { BuildOptions } from './build-options.js';

const DISCOVERY_REFRESH_MS = 5 * 60_000;
/** How long a shutdown waits for the evaluations in flight. */
const STOP_GRACE_MS = 5000;
/** How often the outbox sweep ships incident audit events the audit trail refused when they were committed. */
const OUTBOX_SWEEP_MS = 60_000;
/** A workspace that reported within this long is still monitored (and gets AIOpsNoData once it stops). */
const DISCOVERY_LOOKBACK_SECONDS = 24 * 3600;
const WORKSPACE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export type IncidentListener = NonNullable<ConstructorParameters<typeof IncidentBook>[0]['onChange']>;

export interface Monitoring {
  store: SqlMonitorStore;
  /** Groups alerts into incidents and starts their investigations (the evaluator's and the Alertmanager intake's). */
  incidents: IncidentBook;
  /** Told after every committed incident change (notifications subscribe here). */
  onIncident(listener: IncidentListener): void;
  evaluator: WorkspaceEvaluator;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** The monitor's identity in a workspace: reads and analyses, nothing else (no remediate, no admin). */
export function monitorAuth(workspaceId: string, nowMs: number): AuthContext {
  return {
    sub: MONITOR_SUBJECT,
    workspaceId,
    permissions: ['aiops:read', 'aiops:analyze'],
    planType: 'shared',
    orgIds: [],
    tokenType: 'internal-aiops-v1',
    expiresAt: Math.floor(nowMs / 1000) + 3600,
    rawToken: '',
  };
}

function runInvestigator(runs: AnalysisRuns, now: () => number): Investigator {
  return {
    async start(workspaceId, incident) {
      const view = await runs.start(
        monitorAuth(workspaceId, now()),
        {
          analysisType: 'anomaly',
          timeRangeMinutes: 60,
          targets: incident.resource.namespace ? [incident.resource.namespace] : [],
          endTime: Math.floor(now() / 1000),
        },
        { requestId: `incident-${incident.id}` },
        { waitMs: 0 },
      );
      return { runId: view.run_id };
    },
  };
}

function discovery(config: Config, now: () => number): WorkspaceDiscovery {
  if (config.monitor.workspaces.length > 0) {
    const fixed = [...config.monitor.workspaces];
    return () => Promise.resolve(fixed);
  }
  if (!config.prometheusUrl) {
    const demo = demoWorkspaces().map((w) => w.workspaceId);
    return () => Promise.resolve(demo);
  }
  // Listing tenants crosses workspaces by design: only the monitor does it, and it reads label values, never data.
  const client = new PrometheusClient({ baseUrl: config.prometheusUrl, timeoutMs: config.metrics.timeoutMs });
  return async () => {
    const end = Math.floor(now() / 1000);
    const values = await client.labelValues(config.metrics.tenantLabel, [], end - DISCOVERY_LOOKBACK_SECONDS, end);
    return values.filter((v) => WORKSPACE_ID.test(v));
  };
}

export function buildMonitoring(
  config: Config,
  deps: {
    metrics: MetricsSource;
    findings: FindingsEngine;
    audit: AuditLog;
    runs: AnalysisRuns;
    registry: Registry;
    postgres?: pg.Pool;
    now: () => number;
    warn: (msg: string) => void;
    options: BuildOptions;
  },
): Monitoring {
  let store: SqlMonitorStore;
  if (deps.postgres) {
    store = new SqlMonitorStore(postgresDriver(deps.postgres, { dependency: 'monitor_store' }));
  } else {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the configured AIOPS_DATA_DIR
    mkdirSync(config.dataDir, { recursive: true });
    const db = new BetterSqlite3(path.join(config.dataDir, 'monitor.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    store = new SqlMonitorStore(sqliteDriver(db));
  }
  const m = config.monitor;
  const listeners: IncidentListener[] = [];
  const intervalMs = deps.options.monitorIntervalMs ?? m.intervalMs;
  const metrics = new MonitorMetrics(deps.registry, () => store.alertCountsByState());
  const incidents = new IncidentBook({
    store,
    audit: deps.audit,
    investigator: deps.options.monitorInvestigator ?? runInvestigator(deps.runs, deps.now),
    investigationRetryMs: Math.max(5 * 60_000, 2 * intervalMs),
    warn: deps.warn,
    onChange: (incident, action, extra) => listeners.forEach((l) => l(incident, action, extra)),
  });
  const evaluator = new WorkspaceEvaluator({
    store,
    observe: metricsObserver(deps.metrics, deps.findings),
    incidents,
    forEvaluations: m.forEvaluations,
    now: deps.now,
  });
  const discover = discovery(config, deps.now);
  // An evaluation may not outlast its interval by much: the next tick would skip.
  const timeoutMs = Math.min(config.compute.analysisTimeoutMs, Math.max(5000, intervalMs));
  let scheduler: MonitorScheduler | undefined;
  // Ticks run on the wall clock (BullMQ's); `deps.now` is the clock of what is evaluated (tests pin it to their data).
  const loopOptions = { timeoutMs, now: Date.now, warn: deps.warn };
  if (m.enabled && config.redisUrl) {
    const url = config.redisUrl;
    scheduler = new BullMonitorScheduler((lock) => new MonitorLoop(evaluator, metrics, lock, loopOptions), discover, metrics, {
      connect: () => new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 100, 500) }),
      prefix: deps.options.monitorQueuePrefix ?? m.queuePrefix,
      intervalMs,
      concurrency: m.concurrency,
      refreshMs: DISCOVERY_REFRESH_MS,
      lockDurationMs: deps.options.monitorLockDurationMs ?? 30_000,
      warn: deps.warn,
    });
  } else if (m.enabled) {
    scheduler = new LocalMonitorScheduler(new MonitorLoop(evaluator, metrics, new MemoryOverlapLock(), loopOptions), discover, metrics, {
      intervalMs,
      concurrency: m.concurrency,
      refreshMs: DISCOVERY_REFRESH_MS,
      now: Date.now,
      warn: deps.warn,
    });
  }
  let started = false;
  let sweep: NodeJS.Timeout | undefined;
  let sweeping = false;
  return {
    store,
    incidents,
    onIncident: (listener) => void listeners.push(listener),
    evaluator,
    async start() {
      // The sweep runs with or without the scheduler: Alertmanager's webhook fills the outbox too.
      sweep ??= setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void incidents
          .shipOutboxes()
          .catch((err: unknown) => deps.warn(`monitor: outbox sweep failed: ${(err as Error).message}`))
          .finally(() => (sweeping = false));
      }, OUTBOX_SWEEP_MS).unref();
      if (!scheduler || started) return;
      started = true;
      await scheduler.start();
    },
    /**
     * Waits for the evaluations in flight up to STOP_GRACE_MS, then goes on without them: a late one
     * fails on the closed stores and changes nothing (its tick stalls and another replica evaluates it).
     */
    async stop() {
      clearInterval(sweep);
      sweep = undefined;
      if (!started || !scheduler) return;
      started = false;
      let timer: NodeJS.Timeout | undefined;
      const graceful = scheduler.stop().then(() => true);
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS)));
      const finished = await Promise.race([graceful, late]);
      clearTimeout(timer);
      if (!finished) deps.warn(`monitor: evaluations still running after ${STOP_GRACE_MS / 1000} s of shutdown; not waiting for them`);
    },
    async close() {
      await this.stop();
      await store.close();
    },
  };
}

/** Alertmanager's webhook: its alerts join the monitor's store and incidents, scheduler or not. */
export function alertmanagerIntake(
  config: Config,
  monitoring: Monitoring,
  deps: { audit: AuditLog; now: () => number; rateLimits: Pick<RateLimitsOptions, 'redis' | 'keyPrefix'> },
): AlertmanagerWebhookOptions {
  return {
    intake: new AlertmanagerIntake({
      store: monitoring.store,
      incidents: monitoring.incidents,
      audit: deps.audit,
      tenantLabel: config.metrics.tenantLabel,
      now: deps.now,
    }),
    token: config.alertmanager.webhookToken!,
    bodyLimit: config.alertmanager.maxBodyBytes,
    payloadsPerMinute: config.alertmanager.payloadsPerMinute,
    ...(deps.rateLimits.redis ? { redis: deps.rateLimits.redis } : {}),
    keyPrefix: deps.rateLimits.keyPrefix,
  };
}
