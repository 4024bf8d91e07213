/**
 * What the fault matrix runs against, all private to it (never the shared 5432/6379/19090): a
 * PostgreSQL, a Redis, a ClickHouse 18.16 server and a Prometheus (backfilled with one healthy
 * workspace), a control-plane stub that records every execution, a slow Ollama stub (so analysis runs
 * are in flight when a process dies), and two replicas of the service sharing all of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
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
  const key = await rsaKey();
  const clickhouse = await ClickHouseServer.create(path.join(dir, 'clickhouse'));
  const [postgres, redis, prometheus, controlPlane, model] = await Promise.all([
    PrivatePostgres.start(),
    PrivateRedis.start(),
    PrivatePrometheus.start([scenarioWorkspace(WORKSPACE, [], 4242)], { hours: 2 }),
    startControlPlaneStub(),
    startOllamaStub(() => ({ reply: 'no plan from me', delayMs: MODEL_DELAY_MS })),
    clickhouse.start(),
  ]);
  // Tokens live for the whole matrix (JWT_MAX_AGE_SECONDS is raised to match).
  const token = (sub: string, permissions: string[]) => contractToken(key, { workspaceId: WORKSPACE, sub, permissions, ttlSeconds: 3600 });
  const tokens: Tokens = {
    alice: await token('alice', ['aiops:read', 'aiops:analyze', 'aiops:remediate']),
    bob: await token('bob', ['aiops:read', 'aiops:remediate']),
    carol: await token('carol', ['aiops:read', 'aiops:remediate']),
  };
  const env = (name: string): Record<string, string> => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
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
  const replicas: [Replica, Replica] = [await Replica.create('replica-a', env('replica-a')), await Replica.create('replica-b', env('replica-b'))];
  await Promise.all(replicas.map((r) => r.start()));
  return {
    dir, key, tokens, postgres, redis, clickhouse, prometheus, controlPlane, model, replicas,
    async close() {
      await Promise.all(replicas.map((r) => (r.running ? r.terminate().catch(() => undefined) : undefined)));
      await Promise.allSettled([postgres.destroy(), redis.destroy(), clickhouse.stop(), prometheus.destroy(), controlPlane.close(), model.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
