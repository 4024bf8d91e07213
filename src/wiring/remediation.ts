/**
 * Part of the composition root: the remediation service. Its records live in PostgreSQL when
 * DATABASE_URL is set (every replica sees the same pending approvals), otherwise in SQLite under
 * AIOPS_DATA_DIR; target locks and the hourly execution budget live in Redis when REDIS_URL is set
 * (in-process otherwise, for the single-process embedded mode). Its decisions are published on
 * `decisions`, to which the analysis subscribes its runs (src/wiring/run-resumes.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { GuardedRedis } from '../clients/redis.js';
import type pg from 'pg';
import type { AuditLog } from '../audit/event.js';
import type { ControlPlaneClient } from '../clients/hexabase.js';
import type { Config } from '../config.js';
import { MemoryExecutionBudget, MemoryTargetLocks, RedisExecutionBudget, RedisTargetLocks } from '../remediation/guards.js';
import { RemediationDecisions } from '../remediation/decisions.js';
import { RemediationService } from '../remediation/service.js';
import { postgresDriver, sqliteDriver } from '../storage/sql-drivers.js';
import { SqlRemediationStore } from '../remediation/store.js';
import { DependencyUnavailable, shortCause } from '../resilience/dependency-unavailable.js';
import type { RemediationPort } from '../../agents/analysis/deps.js';

const EXPIRY_SWEEP_MS = 60_000;

export function buildRemediation(
  config: Config,
  deps: {
    audit: AuditLog;
    postgres?: pg.Pool;
    redis?: GuardedRedis;
    controlPlane?: ControlPlaneClient;
    now?: () => number;
    warn?: (msg: string) => void;
  },
): { service: RemediationService; decisions: RemediationDecisions; storeKind: 'postgres' | 'sqlite'; close(): Promise<void> } {
  let store: SqlRemediationStore;
  if (deps.postgres) {
    store = new SqlRemediationStore(postgresDriver(deps.postgres));
  } else {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the configured AIOPS_DATA_DIR
    mkdirSync(config.dataDir, { recursive: true });
    const db = new BetterSqlite3(path.join(config.dataDir, 'remediations.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    store = new SqlRemediationStore(sqliteDriver(db));
  }
  const r = config.remediation;
  // A listener that throws is a bug of the listener: the decision stands, the failure is logged.
  const decisions = new RemediationDecisions((err, event) =>
    deps.warn?.(`a listener of the decision on remediation ${event.remediationId} failed: ${shortCause(err)}`),
  );
  const service = new RemediationService({
    store,
    locks: deps.redis
      ? new RedisTargetLocks(deps.redis, undefined, (err) =>
          deps.warn?.(
            `remediation lock not released (it expires by itself): ${shortCause(err instanceof DependencyUnavailable ? err.cause : err)}`,
          ),
        )
      : new MemoryTargetLocks(),
    budget: deps.redis ? new RedisExecutionBudget(deps.redis, r.executionsPerHour) : new MemoryExecutionBudget(r.executionsPerHour),
    audit: deps.audit,
    ...(deps.controlPlane ? { controlPlane: deps.controlPlane } : {}),
    policy: {
      approvalTtlMs: r.approvalTtlMs,
      fourEyes: r.fourEyes,
      maxReplicas: r.maxReplicas,
      maxReplicasOverride: r.maxReplicasOverride,
      maxPending: r.maxPending,
      autoApproveActions: r.autoApproveActions,
      // Renewed while the plan executes: a replica that dies frees its targets within this long.
      lockTtlMs: 15_000,
      // Long enough for every call of a 10-step plan to time out once, plus a retry.
      interruptedAfterMs: Math.max(120_000, config.hexabase.timeoutMs * 50),
    },
    now: deps.now ?? Date.now,
    decisions,
  });
  // Expiry on time (audit event, analysis run closed) rather than when someone next reads it.
  const sweep = setInterval(() => {
    service
      .expireDue()
      .catch((err: unknown) =>
        deps.warn?.(`remediation expiry sweep failed: ${shortCause(err instanceof DependencyUnavailable ? err.cause : err)}`),
      );
  }, EXPIRY_SWEEP_MS);
  sweep.unref();
  return {
    service,
    decisions,
    storeKind: deps.postgres ? 'postgres' : 'sqlite',
    close: async () => {
      clearInterval(sweep);
      await store.close();
    },
  };
}

/** What the analysis graph sees of the service: it registers a run's proposals (deciding them resumes the run, see run-resumes.ts). */
export function remediationPort(service: RemediationService): RemediationPort {
  return {
    async proposeForRun(auth, runId, actions, summary) {
      // A proposed action is already in the request's shape (kind/name target, parameters, reason, risk).
      const { remediation } = await service.propose(
        auth,
        { actions, reason: summary.slice(0, 2000) },
        { source: { kind: 'analysis', run_id: runId } },
      );
      return { id: remediation.id, expiresAt: remediation.expires_at };
    },
  };
}
