/**
 * What a phase left behind, counted after it settled: authorization rows in ClickHouse per answered
 * request (lost, duplicated), control-plane executions per remediation, analysis runs still
 * `running`. Each waits (bounded) for what is legitimately late — the audit spool shipping, an
 * orphaned run's lease expiring — before it counts.
 */
import type { ChaosEnvironment } from './environment.js';
import { WORKSPACE } from './environment.js';
import type { Load } from './load.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface AuditCount {
  /** Answered requests (status 200-499 but 401) on guarded routes: each needs exactly one authorization row. */
  expected: number;
  /** Of those, without a row. */
  lost: number;
  /** Request ids of this phase (answered or not) with more than one authorization row, physically (no FINAL). */
  duplicated: number;
  /** From the end of the load until every expected row was in ClickHouse. */
  settledMs: number;
  lostIds: string[];
}

/** request_id → authorization rows without FINAL (a physical duplicate counts). */
async function authorizationRows(env: ChaosEnvironment, prefix: string): Promise<Map<string, number>> {
  const out = await env.clickhouse.query(
    `SELECT request_id, count() FROM hexabase_logs.audit_events WHERE event_type = 'authorization' AND startsWith(request_id, '${prefix}') GROUP BY request_id FORMAT TSV`,
  );
  return new Map(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id, n] = line.split('\t');
        return [id!, Number(n)];
      }),
  );
}

export async function countAudit(env: ChaosEnvironment, load: Load, timeoutMs: number): Promise<AuditCount> {
  const expected = load.outcomes.filter((o) => o.audited && o.status >= 200 && o.status < 500 && o.status !== 401).map((o) => o.id);
  const started = Date.now();
  let rows = new Map<string, number>();
  while (Date.now() - started < timeoutMs) {
    rows = await authorizationRows(env, load.prefix).catch(() => rows);
    if (expected.every((id) => rows.has(id))) break;
    await sleep(250);
  }
  const settledMs = Date.now() - started;
  await sleep(500); // a late duplicate would show up here
  rows = await authorizationRows(env, load.prefix);
  const lostIds = expected.filter((id) => !rows.has(id));
  return {
    expected: expected.length,
    lost: lostIds.length,
    duplicated: [...rows.values()].filter((n) => n > 1).length,
    settledMs,
    lostIds: lostIds.slice(0, 10),
  };
}

/** GET through whichever replica answers (a read may meet a dependency that is still coming back). */
async function readJson(env: ChaosEnvironment, path: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    for (const replica of env.replicas.filter((r) => r.accepting)) {
      const res = await fetch(`${replica.base}/workspaces/${WORKSPACE}${path}`, {
        headers: { authorization: `Bearer ${env.tokens.alice}` },
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      if (res?.status === 200) return (await res.json()) as Record<string, unknown>;
      last = res ? `${res.status} ${await res.text()}` : 'no answer';
    }
    await sleep(200);
  }
  throw new Error(`GET ${path}: ${last}`);
}

export interface ExecutionCount {
  /** Remediations proposed in this phase. */
  remediations: number;
  /** Approved and executed (`completed`). */
  completed: number;
  /** Approvals answered 200 (at most one per remediation). */
  approvalsOk: number;
  /** Completed remediations executed other than exactly once, or others executed at all (a `failed` one at most once). */
  wrongExecutions: number;
  /** Approved (an approval was recorded) but never executed: left `approved`. */
  approvedNeverExecuted: number;
  /** An execution cut short (`running`), which the service reports `failed` once its lock has long expired: executed at most once. */
  inDoubt: number;
  byStatus: Record<string, number>;
  details: string[];
}

/**
 * What a client does with a 503 "retry later" on an approval: retries it once the outage is over —
 * a pending remediation is approved again (bob), one whose approval was recorded but cut short before
 * its execution is continued by its approver. Returns how many were retried. A replica killed while it
 * held the target's lock leaves 409 `target_locked` until the lock expires by itself (its holder no longer renews
 * it: 15 s): a client retrying that waits for it.
 */
const LOCK_TTL_WAIT_MS = 45_000;
export async function retryApprovals(env: ChaosEnvironment, load: Load, timeoutMs = 15_000): Promise<number> {
  let retried = 0;
  for (const attempt of load.remediations.filter((a) => !a.approvals.includes(200))) {
    const until = Date.now() + timeoutMs;
    let lockedSeen = false;
    for (;;) {
      const doc = await readJson(env, `/remediations/${attempt.id}`);
      const by = (doc.decision as { by?: string } | null)?.by;
      const approver =
        doc.status === 'pending_approval' ? 'bob' : doc.status === 'approved' && (by === 'bob' || by === 'carol') ? by : undefined;
      if (!approver) break;
      const replica = env.replicas.find((r) => r.accepting)!;
      const res = await fetch(`${replica.base}/workspaces/${WORKSPACE}/remediations/${attempt.id}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.tokens[approver]}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      const reason = res ? ((await res.json().catch(() => ({}))) as { reason?: string }).reason : undefined;
      if (reason === 'target_locked') lockedSeen = true;
      if (res?.status === 200) {
        retried++;
        attempt.approvals.push(200);
        break;
      }
      if (Date.now() > until + (lockedSeen ? LOCK_TTL_WAIT_MS - timeoutMs : 0))
        throw new Error(
          `retrying the approval of ${attempt.id} (${doc.status}) kept failing: ${res?.status ?? 'no answer'} ${reason ?? ''}`,
        );
      await sleep(200);
    }
  }
  return retried;
}

export async function countExecutions(env: ChaosEnvironment, load: Load): Promise<ExecutionCount> {
  const writes = new Map<string, number>();
  for (const call of env.controlPlane.writes()) {
    const key = String(call.headers['idempotency-key'] ?? '');
    const id = key.split(':')[0]!;
    writes.set(id, (writes.get(id) ?? 0) + 1);
  }
  const out: ExecutionCount = {
    remediations: load.remediations.length,
    completed: 0,
    approvalsOk: 0,
    wrongExecutions: 0,
    approvedNeverExecuted: 0,
    inDoubt: 0,
    byStatus: {},
    details: [],
  };
  for (const attempt of load.remediations) {
    const doc = await readJson(env, `/remediations/${attempt.id}`);
    const status = String(doc.status);
    const n = writes.get(attempt.id) ?? 0;
    const ok = attempt.approvals.filter((s) => s === 200).length;
    out.byStatus[status] = (out.byStatus[status] ?? 0) + 1;
    out.approvalsOk += ok;
    if (status === 'completed') out.completed++;
    if (status === 'running') out.inDoubt++;
    if (status === 'approved') out.approvedNeverExecuted++;
    const right = status === 'completed' ? n === 1 : status === 'failed' || status === 'running' ? n <= 1 : n === 0;
    if (!right || ok > 1) {
      out.wrongExecutions++;
      out.details.push(`${attempt.id}: ${status}, ${n} execution(s), approvals ${attempt.approvals.join('/')}`);
    } else if (status === 'approved') {
      out.details.push(`${attempt.id}: approved but not executed, approvals ${attempt.approvals.join('/')}`);
    }
  }
  return out;
}

export interface RunCount {
  runs: number;
  /** Still `running` when the settle time was up: orphaned. */
  orphaned: number;
  byStatus: Record<string, number>;
  /** failed with reason `interrupted` (its process went away and it could not be continued). */
  interrupted: number;
  /** Why the failed ones failed (their last error), at most 5. */
  failures: string[];
  settledMs: number;
}

export async function countRuns(env: ChaosEnvironment, load: Load, timeoutMs: number): Promise<RunCount> {
  const started = Date.now();
  const views = new Map<string, Record<string, unknown>>();
  for (;;) {
    for (const runId of load.runIds) {
      if (views.has(runId) && views.get(runId)!.status !== 'running') continue;
      views.set(runId, await readJson(env, `/runs/${runId}`));
    }
    const running = [...views.values()].filter((v) => v.status === 'running').length;
    if (running === 0 || Date.now() - started > timeoutMs) break;
    await sleep(300);
  }
  const byStatus: Record<string, number> = {};
  for (const v of views.values()) byStatus[String(v.status)] = (byStatus[String(v.status)] ?? 0) + 1;
  return {
    runs: views.size,
    orphaned: byStatus.running ?? 0,
    byStatus,
    interrupted: [...views.values()].filter((v) => v.status === 'failed' && v.status_reason === 'interrupted').length,
    failures: [...views.values()]
      .filter((v) => v.status === 'failed')
      .slice(0, 5)
      .map((v) => JSON.stringify((v.errors as unknown[] | undefined)?.at(-1) ?? v.status_reason).slice(0, 300)),
    settledMs: Date.now() - started,
  };
}
