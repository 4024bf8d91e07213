/**
 * One row of the fault matrix: load on both replicas, the fault injected and restored under it, the
 * recovery timed, then everything counted once it has settled. The result says what was observed;
 * `violations` says which property it breaks.
 */
import type { ChaosEnvironment } from './environment.js';
import type { Fault } from './faults.js';
import { countAudit, countExecutions, countRuns, retryApprovals, type AuditCount, type ExecutionCount, type RunCount } from './ledger.js';
import { Load, type Outcome } from './load.js';

/** The recovery target: a route that needs the dependency works within this long of its return. */
export const RECOVERY_TARGET_MS = 1000;
const WARM_MS = 800;
const AFTER_MS = 1000;
const PROBE_TIMEOUT_MS = 30_000;
const SETTLE_TIMEOUT_MS = 30_000;

/** What each route may answer below 500 (anything else is unexpected; 5xx must be 503 with Retry-After). */
const ALLOWED: Record<string, number[]> = {
  'GET access': [200],
  'GET metrics': [200],
  'GET alerts': [200],
  'GET remediations': [200],
  'GET audit': [200],
  'GET run': [200],
  'POST analyze': [200, 202],
  // 200: a retried proposal joining the pending one for the same target (its first answer was lost).
  'POST remediate': [200, 201],
  'POST approve': [200, 409],
  'GET unauthenticated': [401],
};

export interface PhaseResult {
  fault: string;
  title: string;
  requests: number;
  /** Answers ≥ 500 by `status reason`. */
  errors5xx: Record<string, number>;
  /** 5xx that are not 503 with a Retry-After (a 500 for an outage, a 502, a 503 without Retry-After). */
  bad5xx: number;
  /** Answers below 500 a route should never give (a 404 for an existing run, a 429 …), by `route status reason`. */
  unexpected: Record<string, number>;
  /** Requests without any HTTP answer, by replica. */
  dropped: Record<string, number>;
  /** Of those, on a replica that was not stopped on purpose. */
  droppedUnexpectedly: number;
  /** Process exits nobody asked for. */
  deaths: string[];
  /** Exit codes of the replicas stopped on purpose (SIGTERM must give 0). */
  stoppedExits: string[];
  audit: AuditCount;
  /** Approvals answered only 503 (or nothing) during the fault, retried once it was over, as a client would. */
  approvalsRetried: number;
  executions: ExecutionCount;
  runs: RunCount;
  /** Per replica: from the dependency's return to the first success of a route that needs it. */
  recoveryMs?: Record<string, number>;
  /** A stopped replica: from its start to its first answer. */
  restartMs?: number;
  durationMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tally(outcomes: Outcome[], key: (o: Outcome) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) {
    const k = key(o);
    if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

async function timeRecovery(env: ChaosEnvironment, fault: Fault, since: number): Promise<Record<string, number>> {
  const probe = fault.probe!;
  const entries = await Promise.all(
    env.replicas
      .filter((r) => r.accepting)
      .map(async (replica) => {
        while (Date.now() - since < PROBE_TIMEOUT_MS) {
          if (await probe(env, replica)) return [replica.name, Date.now() - since] as const;
          await sleep(25);
        }
        return [replica.name, Number.POSITIVE_INFINITY] as const;
      }),
  );
  return Object.fromEntries(entries);
}

export async function runPhase(env: ChaosEnvironment, fault: Fault): Promise<PhaseResult> {
  const started = Date.now();
  await fault.setup?.(env);
  const deathsBefore = new Set(env.replicas.flatMap((r) => r.exits));
  const load = new Load(env, fault.name);
  load.start();
  let recoveryMs: Record<string, number> | undefined;
  let restartMs: number | undefined;
  try {
    await sleep(WARM_MS);
    await fault.inject(env);
    await sleep(fault.outageMs);
    const restoreStarted = Date.now();
    await fault.restore(env);
    const back = Date.now();
    if (fault.stopped) restartMs = back - restoreStarted;
    if (fault.probe) recoveryMs = await timeRecovery(env, fault, back);
    await sleep(AFTER_MS);
  } finally {
    await load.stop();
  }
  const exits = env.replicas.flatMap((r) => r.exits).filter((e) => !deathsBefore.has(e));
  const audit = await countAudit(env, load, SETTLE_TIMEOUT_MS);
  const approvalsRetried = await retryApprovals(env, load);
  const [executions, runs] = [await countExecutions(env, load), await countRuns(env, load, SETTLE_TIMEOUT_MS)];
  const stopped = new Set(fault.stopped ?? []);
  const dropped = load.outcomes.filter((o) => o.status === 0);
  return {
    fault: fault.name,
    title: fault.title,
    requests: load.outcomes.length,
    errors5xx: tally(load.outcomes, (o) =>
      o.status >= 500
        ? `${o.status} ${o.reason ?? '-'}${o.retryAfter ? '' : ' (no Retry-After)'}${o.status === 503 ? '' : ` on ${o.route} (${o.id})`}`
        : undefined,
    ),
    bad5xx: load.outcomes.filter((o) => o.status >= 500 && !(o.status === 503 && Number(o.retryAfter) > 0)).length,
    unexpected: tally(load.outcomes, (o) =>
      o.status > 0 && o.status < 500 && !ALLOWED[o.route]?.includes(o.status)
        ? `${o.route} ${o.status} ${o.reason ?? ''}`.trim()
        : undefined,
    ),
    dropped: tally(dropped, (o) => `${o.replica} ${o.error ?? ''}`.trim()),
    droppedUnexpectedly: dropped.filter((o) => !stopped.has(o.replica)).length,
    deaths: exits.filter((e) => !e.intended).map((e) => `${e.replica} exited ${e.code ?? e.signal}: ${e.tail.slice(-500)}`),
    stoppedExits: exits.filter((e) => e.intended).map((e) => `${e.replica}: ${e.code ?? e.signal}`),
    audit,
    approvalsRetried,
    executions,
    runs,
    ...(recoveryMs ? { recoveryMs } : {}),
    ...(restartMs !== undefined ? { restartMs } : {}),
    durationMs: Date.now() - started,
  };
}

/** The properties a phase must keep; each broken one is a line. */
export function violations(r: PhaseResult, fault: Fault): string[] {
  const out: string[] = [];
  if (r.bad5xx > 0) out.push(`${r.bad5xx} answer(s) ≥ 500 that are not 503 with Retry-After: ${JSON.stringify(r.errors5xx)}`);
  if (Object.keys(r.unexpected).length > 0) out.push(`unexpected answers: ${JSON.stringify(r.unexpected)}`);
  if (r.droppedUnexpectedly > 0)
    out.push(`${r.droppedUnexpectedly} request(s) without an answer from a replica that was not stopped: ${JSON.stringify(r.dropped)}`);
  if (r.deaths.length > 0) out.push(`process deaths: ${r.deaths.join(' | ')}`);
  if (fault.name === 'replica-sigterm' && !r.stoppedExits.every((e) => e.endsWith(': 0')))
    out.push(`SIGTERM did not exit 0: ${r.stoppedExits.join(', ')}`);
  if (r.audit.lost > 0) out.push(`${r.audit.lost} answered request(s) without their authorization row: ${r.audit.lostIds.join(', ')}`);
  if (r.audit.duplicated > 0) out.push(`${r.audit.duplicated} request(s) with more than one authorization row`);
  if (r.executions.wrongExecutions > 0 || r.executions.approvedNeverExecuted > 0)
    out.push(`remediations not executed exactly once: ${r.executions.details.join(' | ')}`);
  if (r.runs.orphaned > 0) out.push(`${r.runs.orphaned} run(s) still running after ${r.runs.settledMs} ms`);
  for (const [replica, ms] of Object.entries(r.recoveryMs ?? {})) {
    if (!(ms <= RECOVERY_TARGET_MS)) out.push(`${replica}: recovery took ${ms} ms (target ${RECOVERY_TARGET_MS} ms)`);
  }
  return out;
}
