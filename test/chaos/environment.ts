/**
 * What the fault matrix runs against, all private to it (never the shared 5432/6379/19090): a
 * PostgreSQL, a Redis, a ClickHouse 18.16 server and a Prometheus (backfilled with one healthy
 * workspace), a control-plane stub that records every execution, a slow Ollama stub (so analysis runs
 * are in flight when a process dies), and two replicas of the service sharing all of them.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { GENEROUS_LIMITS } from '../helpers/app.js';
import { ClickHouseServer } from '../helpers/clickhouse-server.js';
import { startControlPlaneStub, type ControlPlaneStub } from '../helpers/control-plane-stub.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { startOllamaStub, type LlmStub } from '../helpers/llm-stubs.js';
import { PrivatePostgres } from '../helpers/private-postgres.js';
import { PrivatePrometheus } from '../helpers/private-prometheus.js';
import { ROOT } from '../helpers/process.js';
import { PrivateRedis } from '../helpers/private-redis.js';
import { Replica } from './replica.js';

export const WORKSPACE = 'ws-chaos';
/** Run leases short enough that an orphaned run is claimed within the settle time (the default is 30 s). */
export const RUN_LEASE_SECONDS = 2;
/** How long the stub model takes to answer: a run spends about this long in each model call. */
export const MODEL_DELAY_MS = 700;

export interface Tokens {
  /** Reads, analyses, proposals (the proposer). */
  alice: string;
  /** The two approvers racing each other. */
  bob: string;
  carol: string;
}

export interface ChaosEnvironment {
  dir: string;
  key: RsaKey;
  tokens: Tokens;
  postgres: PrivatePostgres;
  redis: PrivateRedis;
  clickhouse: ClickHouseServer;
  prometheus: PrivatePrometheus;
  controlPlane: ControlPlaneStub;
  model: LlmStub;
  replicas: [Replica, Replica];
  close(): Promise<void>;
}

export async function startEnvironment(): Promise<ChaosEnvironment> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aiops-chaos-'));
  // Everything started so far, stopped again if a later start fails (no server outlives a failed run).
  const cleanups: (() => Promise<unknown>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const started = <T>(p: Promise<T>, stop: (x: T) => Promise<unknown>) =>
    p.then((x) => (cleanups.unshift(() => stop(x).catch(() => undefined)), x));
  const cleanUp = async () => {
    for (const c of cleanups) await c();
  };
  try {
    const key = await rsaKey();
    const clickhouse = await ClickHouseServer.create(path.join(dir, 'clickhouse'));
    const settled = await Promise.allSettled([
      started(PrivatePostgres.start(), (x) => x.destroy()),
      started(PrivateRedis.start(), (x) => x.destroy()),
      started(PrivatePrometheus.start([scenarioWorkspace(WORKSPACE, [], 4242)], { hours: 2 }), (x) => x.destroy()),
      started(startControlPlaneStub(), (x) => x.close()),
      started(
        startOllamaStub(() => ({ reply: 'no plan from me', delayMs: MODEL_DELAY_MS })),
        (x) => x.close(),
      ),
      started(clickhouse.start(), () => clickhouse.stop()),
    ]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [postgres, redis, prometheus, controlPlane, model] = settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      PrivatePostgres,
      PrivateRedis,
      PrivatePrometheus,
      ControlPlaneStub,
      LlmStub,
    ];
    // Tokens live for the whole matrix (JWT_MAX_AGE_SECONDS is raised to match).
    const token = (sub: string, permissions: string[]) =>
      contractToken(key, { workspaceId: WORKSPACE, sub, permissions, ttlSeconds: 3600 });
    const tokens: Tokens = {
      alice: await token('alice', ['aiops:read', 'aiops:analyze', 'aiops:remediate']),
      bob: await token('bob', ['aiops:read', 'aiops:remediate']),
      carol: await token('carol', ['aiops:read', 'aiops:remediate']),
    };
    const env = (name: string): Record<string, string> => ({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      // The ledger counts the audit events of the load alone (the monitor has tests of its own).
      MONITOR_ENABLED: 'false',
      AIOPS_DATA_DIR: path.join(dir, name),
      JWT_PUBLIC_KEY: key.publicPem,
      JWT_MAX_AGE_SECONDS: '3600',
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      CLICKHOUSE_URL: clickhouse.url,
      PROMETHEUS_URL: prometheus.url,
      PROMETHEUS_TIMEOUT_SECONDS: '5',
      HEXABASE_API_URL: controlPlane.url,
      HEXABASE_API_TOKEN: 'internal_chaos_token',
      OLLAMA_BASE_URL: model.url,
      LLM_TIMEOUT_SECONDS: '10',
      ANALYZE_SYNC_WAIT_SECONDS: '0',
      RUN_LEASE_SECONDS: String(RUN_LEASE_SECONDS),
      SHUTDOWN_TIMEOUT_SECONDS: '10',
      REMEDIATION_MAX_PENDING: '10000',
      REMEDIATION_EXECUTIONS_PER_HOUR: '100000',
      ...GENEROUS_LIMITS,
    });
    // The replicas' logs outlive the run (reports/ is not committed): what to read when a phase fails.
    const logs = path.join(ROOT, 'reports', 'chaos-logs');
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(logs, { recursive: true });
    const replica = (name: string) => Replica.create(name, env(name), path.join(logs, `${name}.log`));
    const replicas: [Replica, Replica] = [await replica('replica-a'), await replica('replica-b')];
    cleanups.unshift(() => Promise.all(replicas.map((r) => (r.running ? r.terminate().catch(() => undefined) : undefined))));
    const booted = await Promise.allSettled(replicas.map((r) => r.start()));
    const bootFailure = booted.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (bootFailure) throw bootFailure.reason;
    return { dir, key, tokens, postgres, redis, clickhouse, prometheus, controlPlane, model, replicas, close: cleanUp };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}
