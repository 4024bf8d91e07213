/**
 * The fault matrix: what each fault breaks, how it is restored, and which request proves that what
 * it broke works again (the recovery probe, timed from the moment the dependency is back).
 */
import type { ChaosEnvironment } from './environment.js';
import { WORKSPACE } from './environment.js';
import type { Replica } from './replica.js';

export interface Fault {
  /** Short id: in request ids and the report. */
  name: string;
  title: string;
  /** The dependency that goes away and comes back; absent for faults of the service itself. */
  dependency?: 'clickhouse' | 'redis' | 'postgres' | 'prometheus';
  /** How long the load runs with the fault in place. */
  outageMs: number;
  /** Before the load starts (e.g. replicas restarted with other settings). */
  setup?(env: ChaosEnvironment): Promise<void>;
  inject(env: ChaosEnvironment): Promise<void>;
  /** Resolves when the dependency (or the replica) is back; the recovery clock starts then. */
  restore(env: ChaosEnvironment): Promise<void>;
  /** A request that needs what was broken: true once it succeeds. */
  probe?(env: ChaosEnvironment, replica: Replica): Promise<boolean>;
  /** Replicas stopped on purpose: their exits are no deaths, and requests they drop are expected. */
  stopped?: string[];
}

const ws = (path: string) => `/workspaces/${WORKSPACE}${path}`;

async function ok(replica: Replica, path: string, token: string, init: RequestInit = {}): Promise<boolean> {
  const res = await fetch(`${replica.base}${ws(path)}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  if (!res) return false;
  await res.arrayBuffer();
  return res.status >= 200 && res.status < 300;
}

/** A rolling restart with new settings: one replica at a time, so the other keeps serving. */
async function restartWith(env: ChaosEnvironment, settings: Record<string, string>): Promise<void> {
  for (const replica of env.replicas) {
    replica.accepting = false;
    const exit = await replica.terminate();
    if (exit.code !== 0) throw new Error(`${replica.name} exited with ${exit.code ?? exit.signal} on SIGTERM: ${exit.tail}`);
    replica.configure(settings);
    await replica.start();
  }
}

/** Proposes and approves through one replica: approval needs the target lock (Redis) and the store (PostgreSQL). */
async function approveOne(env: ChaosEnvironment, replica: Replica): Promise<boolean> {
  const target = `deployment/probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await fetch(`${replica.base}${ws('/remediate')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.tokens.alice}`, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(5000),
    body: JSON.stringify({ actions: [{ action_type: 'scale', target_resource: target, namespace: 'probe', parameters: { replicas: 1 } }] }),
  }).catch(() => undefined);
  if (res?.status !== 201) return false;
  const { id } = (await res.json()) as { id: string };
  pendingProbes.set(replica.name, id);
  return ok(replica, `/remediations/${id}/approve`, env.tokens.bob, { method: 'POST', body: '{}' });
}
/** A probe's remediation that could not be approved yet (Redis down): approved by the next probe instead of a new one. */
const pendingProbes = new Map<string, string>();

async function approvePending(env: ChaosEnvironment, replica: Replica): Promise<boolean> {
  const id = pendingProbes.get(replica.name);
  if (!id) return approveOne(env, replica);
  const done = await ok(replica, `/remediations/${id}/approve`, env.tokens.bob, { method: 'POST', body: '{}' });
  if (done) pendingProbes.delete(replica.name);
  return done;
}

export const FAULTS: Fault[] = [
  {
    name: 'baseline',
    title: 'no fault (baseline)',
    outageMs: 1500,
    inject: async () => undefined,
    restore: async () => undefined,
  },
  {
    name: 'clickhouse-kill',
    title: 'ClickHouse kill -9, restarted',
    dependency: 'clickhouse',
    outageMs: 2500,
    inject: (env) => env.clickhouse.kill9(),
    restore: (env) => env.clickhouse.start(),
    probe: (env, r) => ok(r, '/audit?limit=1', env.tokens.alice),
  },
  {
    name: 'redis-stop',
    title: 'Redis stopped (SIGKILL), started again',
    dependency: 'redis',
    outageMs: 2500,
    inject: async (env) => {
      await env.redis.stop();
      // Proposals still work without Redis: each replica gets one to approve once Redis is back.
      await Promise.all(env.replicas.map((r) => approveOne(env, r)));
    },
    restore: (env) => env.redis.start(),
    probe: (env, r) => approvePending(env, r),
  },
  {
    name: 'postgres-terminate',
    title: 'PostgreSQL: every connection terminated (pg_terminate_backend)',
    dependency: 'postgres',
    outageMs: 1500,
    inject: async (env) => void (await env.postgres.terminateBackends()),
    restore: async () => undefined,
    probe: (env, r) => ok(r, '/remediations?limit=1', env.tokens.alice),
  },
  {
    name: 'postgres-restart',
    title: 'PostgreSQL stopped (fast shutdown), started again',
    dependency: 'postgres',
    outageMs: 2500,
    inject: (env) => env.postgres.stop(),
    restore: (env) => env.postgres.start(),
    probe: (env, r) => ok(r, '/remediations?limit=1', env.tokens.alice),
  },
  {
    name: 'prometheus-stop',
    title: 'Prometheus stopped (SIGKILL), started again',
    dependency: 'prometheus',
    outageMs: 2500,
    inject: (env) => env.prometheus.stop(),
    restore: (env) => env.prometheus.start(),
    probe: (env, r) => ok(r, `/metrics/query?name=cpu_usage&time=${Math.floor(Date.now() / 1000)}`, env.tokens.alice),
  },
  {
    name: 'replica-sigkill',
    title: 'one replica SIGKILLed mid-burst, started again',
    outageMs: 2500,
    stopped: ['replica-a'],
    inject: async (env) => void (await env.replicas[0].kill()),
    restore: async (env) => void (await env.replicas[0].start()),
  },
  {
    name: 'replica-sigterm',
    title: 'one replica SIGTERMed mid-burst (drain), started again',
    outageMs: 500,
    stopped: ['replica-b'],
    inject: async (env) => {
      // The load balancer keeps sending to it until it exits (endpoint removal lags the signal); it must drain and exit 0.
      const exit = await env.replicas[1].terminate();
      if (exit.code !== 0) throw new Error(`replica-b exited with ${exit.code ?? exit.signal} after SIGTERM: ${exit.tail}`);
    },
    restore: async (env) => void (await env.replicas[1].start()),
  },
  {
    name: 'audit-spool-full',
    title: 'audit spool full (1 MiB) while ClickHouse is down, then back',
    dependency: 'clickhouse',
    outageMs: 1500,
    setup: (env) => restartWith(env, { AUDIT_SPOOL_MAX_BYTES: String(1024 * 1024) }),
    inject: async (env) => {
      await env.clickhouse.kill9();
      await fillSpools(env);
    },
    restore: (env) => env.clickhouse.start(),
    probe: (env, r) => ok(r, '/access', env.tokens.alice),
  },
];

/**
 * Audited requests with long request ids until every replica refuses with 503 audit_spool_full (the
 * regular load alone would take minutes to fill 1 MiB). Their answers are not part of the counted
 * load: they only bring the spool to its bound.
 */
async function fillSpools(env: ChaosEnvironment): Promise<void> {
  const pad = 'x'.repeat(100);
  await Promise.all(
    env.replicas.map(async (replica) => {
      for (let i = 0; i < 5000; i += 25) {
        const answers = await Promise.all(
          Array.from({ length: 25 }, async (_, j) => {
            const res = await fetch(`${replica.base}${ws('/access')}`, {
              headers: { authorization: `Bearer ${env.tokens.alice}`, 'x-request-id': `fill-${replica.name}-${i + j}-${pad}` },
              signal: AbortSignal.timeout(10_000),
            });
            return { status: res.status, reason: ((await res.json()) as { reason?: string }).reason };
          }),
        );
        if (answers.some((a) => a.status === 503 && a.reason === 'audit_spool_full')) return;
      }
      throw new Error(`${replica.name}: the audit spool did not fill after 5000 requests`);
    }),
  );
}
