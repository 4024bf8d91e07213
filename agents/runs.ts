/**
 * Analysis runs over the graph: start one (answering synchronously when it finishes in time,
 * otherwise letting it continue in the background), read one back from its checkpoint (on any
 * replica), and resume one at the approval gate. A run belongs to the workspace it was started in:
 * reading or resuming it from another workspace is indistinguishable from a run that does not exist.
 *
 * Durability (with `leases`): every execution holds a lease (src/runs/leases.ts) that its process
 * renews; a run whose process went away is claimed by exactly one other process and resumed from its
 * last checkpoint, or ends `failed` with reason `interrupted` (run-recovery.ts). On shutdown, `drain`
 * stops taking runs, waits for the running ones, and stops the rest at their last checkpoint with
 * their leases handed over, so another process resumes them at once.
 */
import { randomUUID } from 'node:crypto';
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { Command, type StateSnapshot } from '@langchain/langgraph';
import type { AuthContext } from '../src/auth/auth-context.js';
import { DependencyUnavailable } from '../src/resilience/dependency-unavailable.js';
import type { RunLease } from '../src/runs/lease-store.js';
import type { RunLeases } from '../src/runs/leases.js';
import type { RunIndex, RunIndexCursor, RunIndexEntry } from '../src/runs/run-index.js';
import { RunsDraining } from '../src/runs/runs-draining.js';
import { deadline } from '../src/budget/deadline.js';
import type { RunContext } from './analysis/deps.js';
import type { AnalysisGraph } from './analysis/graph.js';
import { hasNoData } from './analysis/no-data.js';
import {
  interruptedBeforeRemediation,
  leasePayload,
  NODES_NEEDING_THE_CALLER,
  parseLeasePayload,
  planRecovery,
  recoveredAuth,
  type RunInput,
} from './run-recovery.js';
import { inTrace } from '../src/llm/trace-context.js';
import type { ApprovalResume, AnalysisRequest, AnalysisState } from './analysis/state.js';

/** `no_data`: finished, but the workspace had no series to analyse (analysis/no-data.ts); the run's errors say why. */
export type RunStatus = 'running' | 'awaiting_approval' | 'completed' | 'no_data' | 'failed';
/** Why a run failed: an error in the run, or its process stopped and it could not be resumed. */
export type RunStatusReason = 'error' | 'interrupted' | 'timeout';

export interface RunView {
  run_id: string;
  status: RunStatus;
  /** Set when `status` is `failed`. */
  reason?: RunStatusReason;
  state: AnalysisState;
}

export interface AnalysisRunsOptions {
  /** How long `start` waits before answering "still running". */
  syncWaitMs: number;
  /** Tracing callbacks for a run (Langfuse: session = run, user = sub), so nodes, tools and model calls nest in one trace. */
  callbacksFor?: (runId: string, auth: AuthContext, request: { requestId?: string }) => BaseCallbackHandler[];
  onBackgroundError?: (runId: string, err: unknown) => void;
  /**
   * Time budget of a run started by `start` (ANALYSIS_TIMEOUT_SECONDS): its signal reaches the metrics
   * fetches, the worker-pool analysis and the model calls; a run past it ends `failed` with an error of
   * kind `timeout`. It counts from the start whether or not anyone still waits (POST /analyze answers 202
   * and the run goes on; a client that leaves does not stop it). Resuming after an approval is not bounded here.
   */
  timeoutMs?: number;
  /** Awaited before every use of the checkpoint store; rejects (→ DependencyUnavailable 'run_store', 503 `run_store_unavailable`, never 404) while it is down. */
  beforeUse?: () => Promise<void>;
  /**
   * Takes a concurrency slot for a new run, or throws (the workspace or this replica is at its limit).
   * The slot is held for the run's whole life, background continuation included, and released however it ends.
   */
  admit?: (auth: AuthContext) => Promise<{ release(): void }>;
  /** Leases in the checkpoints' store: without them a run whose process stops is never resumed. */
  leases?: RunLeases;
  /** Told when a run is resumed or ended `interrupted` after its process went away. */
  onRecovered?: (runId: string, outcome: string) => void;
  /**
   * Told each time an execution of a run stops in a state that lasts (completed, no_data, failed,
   * awaiting_approval), with who ran it: the monitor announces its investigations' diagnoses here.
   * Not awaited; it must not throw.
   */
  onSettled?: (view: RunView, auth: AuthContext) => void;
  /** Where each run is recorded when it starts, so a workspace's runs can be listed (src/runs/run-index.ts). */
  index?: RunIndex;
  /** The clock of the index's start times. */
  now?: () => number;
}

/** A listed run: what the index recorded, and the run as its checkpoint has it (undefined: it never got going). */
export interface ListedRun {
  entry: RunIndexEntry;
  view: RunView | undefined;
}

/** The process is shutting down and takes no new runs (the route answers 503; another replica will). */
export { RunsDraining };

export interface DrainReport {
  /** Runs that finished while the drain waited. */
  finished: number;
  /** Runs stopped at their last checkpoint and handed over to another process. */
  handedOver: number;
}

type GraphInput = Parameters<AnalysisGraph['invoke']>[0];

interface Execution {
  done: Promise<void>;
  abort: AbortController;
}

export class AnalysisRuns {
  /** Runs this process is executing right now (others may run on other replicas). */
  private readonly active = new Map<string, Execution>();
  private drained: Promise<DrainReport> | undefined;

  constructor(
    private readonly graph: AnalysisGraph,
    private readonly options: AnalysisRunsOptions,
  ) {
    // Another process took the run over (this one failed to renew in time): stop here, do not run it twice.
    options.leases?.onLost((runId) => this.active.get(runId)?.abort.abort(new Error('run lease lost')));
  }

  /** `waitMs` overrides how long to wait for the answer (the monitor's investigations do not wait: 0). */
  async start(
    auth: AuthContext,
    request: AnalysisRequest,
    run: Omit<RunContext, 'auth'> = {},
    options: { waitMs?: number } = {},
  ): Promise<RunView> {
    if (this.drained) throw new RunsDraining();
    await this.ready();
    const runId = randomUUID();
    const initial: RunInput = { workspaceId: auth.workspaceId, requestedBy: auth.sub, request };
    const slot = await this.options.admit?.(auth);
    try {
      await this.recordStart(runId, auth, request);
      await this.holdLease(runId, auth, { ...run, input: initial });
    } catch (err) {
      slot?.release();
      throw err;
    }
    const execution = this.execute(runId, initial, { ...run, auth });
    // Never rejects (failures are recorded on the run); the catch keeps a store outage from becoming an unhandled rejection.
    void execution.finally(() => slot?.release()).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const waitMs = options.waitMs ?? this.options.syncWaitMs;
    if (waitMs > 0) await Promise.race([execution, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    else return { run_id: runId, status: 'running', state: initial as AnalysisState };
    clearTimeout(timer);
    return (await this.view(runId)) ?? { run_id: runId, status: 'running', state: initial as AnalysisState };
  }

  /** The run as its checkpoint has it, or undefined when it does not exist in this workspace. */
  async get(auth: AuthContext, runId: string): Promise<RunView | undefined> {
    await this.ready();
    const view = (await this.view(runId)) ?? (await this.beforeFirstCheckpoint(runId));
    if (!view || view.state.workspaceId !== auth.workspaceId) return undefined;
    if (view.status !== 'running' || this.active.has(runId) || !this.options.leases) return view;
    return (await this.settleOrphan(runId)) ?? view;
  }

  /** The workspace's runs, newest first, each read from its checkpoint (in parallel; a page is at most 100). */
  async list(auth: AuthContext, page: { after?: RunIndexCursor; limit: number }): Promise<ListedRun[]> {
    await this.ready();
    let entries: RunIndexEntry[] = [];
    try {
      entries = (await this.options.index?.list(auth.workspaceId, page)) ?? [];
    } catch (err) {
      throw new DependencyUnavailable('run_store', { cause: err }); // the index lives in the checkpoints' store
    }
    return Promise.all(entries.map(async (entry) => ({ entry, view: await this.get(auth, entry.runId) })));
  }

  /**
   * Resumes a run waiting at the approval gate with the decision on its remediation and, when
   * approved, what executing it did (the remediation service decided and executed it already).
   * Returns undefined when there is no such run awaiting approval; rejects when the checkpoint
   * store cannot be used (the caller logs, counts and retries it).
   */
  async resume(auth: AuthContext, runId: string, answer: ApprovalResume): Promise<RunView | undefined> {
    await this.ready();
    const view = await this.get(auth, runId);
    if (!view || view.status !== 'awaiting_approval') return undefined;
    await this.holdLease(runId, auth, {});
    await this.execute(runId, new Command({ resume: answer }), { auth });
    return this.view(runId);
  }

  /**
   * Claims runs whose process went away (expired leases) and resumes them or ends them
   * `interrupted` (the periodic sweep and the one at start). Returns how many it claimed.
   */
  async recoverOrphans(limit = 20): Promise<number> {
    const leases = this.options.leases;
    if (!leases || this.drained) return 0;
    const claimed = await leases.claimExpired(limit);
    // The checkpoint store only when there is something to recover: a sweep at start must not race
    // other replicas (and this one's first requests) setting it up.
    if (claimed.length > 0) await this.ready();
    for (const lease of claimed) await this.recover(lease);
    return claimed.length;
  }

  /**
   * Shutdown: takes no new runs, waits up to `budgetMs` for the running ones, then stops the rest
   * at their last checkpoint and hands their leases over. Idempotent (later calls get the same report).
   */
  /** True once `drain` was called: this instance takes no new runs. */
  get draining(): boolean {
    return this.drained !== undefined;
  }

  drain(budgetMs: number): Promise<DrainReport> {
    this.drained ??= (async () => {
      const deadline = Date.now() + budgetMs;
      const before = this.active.size;
      while (this.active.size > 0 && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const running = [...this.active.values()].map((e) => e.done.catch(() => undefined));
        await Promise.race([Promise.all(running), new Promise((resolve) => (timer = setTimeout(resolve, deadline - Date.now())))]);
        clearTimeout(timer);
      }
      const left = [...this.active.entries()];
      for (const [, e] of left) e.abort.abort(new RunsDraining());
      await Promise.all(left.map(([, e]) => e.done.catch(() => undefined)));
      await this.options.leases?.handOver(left.map(([id]) => id));
      this.options.leases?.stop();
      return { finished: Math.max(0, before - left.length), handedOver: left.length };
    })();
    return this.drained;
  }

  private async ready(): Promise<void> {
    try {
      await this.options.beforeUse?.();
    } catch (err) {
      throw new DependencyUnavailable('run_store', { cause: err });
    }
  }

  private async recordStart(runId: string, auth: AuthContext, request: AnalysisRequest): Promise<void> {
    try {
      await this.options.index?.record({
        runId,
        workspaceId: auth.workspaceId,
        analysisType: request.analysisType,
        requestedBy: auth.sub,
        startedAtMs: (this.options.now ?? Date.now)(),
      });
    } catch (err) {
      throw new DependencyUnavailable('run_store', { cause: err });
    }
  }

  private async holdLease(
    runId: string,
    auth: AuthContext,
    extra: { requestId?: string; traceId?: string; input?: RunInput },
  ): Promise<void> {
    try {
      await this.options.leases?.hold(runId, auth.workspaceId, leasePayload(auth, extra));
    } catch (err) {
      throw new DependencyUnavailable('run_store', { cause: err }); // the leases live in the checkpoints' store
    }
  }

  /**
   * One execution of the graph on the run's thread. Errors end the run `failed` (reason `error`);
   * an execution stopped on purpose (drain, lease lost) leaves the run at its last checkpoint, its
   * lease to whoever resumes it.
   */
  private execute(runId: string, input: GraphInput, run: RunContext, recovering = false): Promise<void> {
    const abort = new AbortController();
    // The run's time budget (a resumed approval has none: it only records what the remediation service decided and did).
    const budget = this.options.timeoutMs && !(input instanceof Command) ? deadline(this.options.timeoutMs, abort.signal) : undefined;
    const config = {
      configurable: { thread_id: runId, run },
      callbacks: this.options.callbacksFor?.(runId, run.auth, { ...(run.requestId ? { requestId: run.requestId } : {}) }) ?? [],
      signal: budget?.signal ?? abort.signal,
      ...(recovering ? { interruptBefore: [...NODES_NEEDING_THE_CALLER] } : {}),
    };
    let settled = true;
    // In the request's trace: the run's spans and its audit rows share one trace id.
    const done = inTrace(run.traceId, () => this.graph.invoke(input, config))
      .then(
        async () => {
          // A recovered run that stopped before a node it may not run (see run-recovery.ts) ends here.
          if (recovering && (await this.view(runId).catch(() => undefined))?.status === 'running')
            await this.markFailed(runId, interruptedBeforeRemediation, 'interrupted');
        },
        async (err: unknown) => {
          if (budget?.expired()) {
            settled = await this.markFailed(
              runId,
              `the analysis took longer than its time budget of ${this.options.timeoutMs! / 1000} s and was stopped`,
              'timeout',
            );
            return;
          }
          if (abort.signal.aborted) return;
          this.options.onBackgroundError?.(runId, err);
          settled = await this.markFailed(runId, safeMessage(err), 'failed');
        },
      )
      .finally(async () => {
        budget?.clear();
        this.active.delete(runId);
        if (abort.signal.aborted) return;
        // A failure that could not be recorded — the run never wrote its first checkpoint (the store
        // failed under it) or the store is down — does not end the run: its lease is handed over, so a
        // sweep restarts or settles it once the store answers. Released, the run would vanish (a 404).
        // A store that fails here leaves the lease to expire: the sweep settles the run then.
        if (settled) await this.options.leases?.release(runId).catch(() => undefined);
        else await this.options.leases?.handOver([runId]).catch(() => undefined);
        if (settled && this.options.onSettled) {
          const view = await this.view(runId).catch(() => undefined);
          if (view && view.status !== 'running') this.options.onSettled(view, run.auth);
        }
      });
    this.active.set(runId, { done, abort });
    return done;
  }

  /** A claimed run: resumed, started over, or ended `interrupted` (see run-recovery.ts). */
  private async recover(lease: RunLease): Promise<void> {
    const leases = this.options.leases!;
    const payload = parseLeasePayload(lease.payload);
    const snapshot = await this.graph.getState({ configurable: { thread_id: lease.runId } }).catch(() => undefined);
    if (!snapshot) return; // the store failed: the claim expires and the run is tried again later
    const state = snapshot.values as AnalysisState | undefined;
    const checkpoint = state?.workspaceId && started(snapshot) ? { status: statusOf(snapshot, state), next: snapshot.next } : undefined;
    const plan = planRecovery(checkpoint, lease.attempts, payload);
    if (plan.kind === 'resume' || plan.kind === 'restart') {
      leases.adopt(lease.runId);
      const run: RunContext = {
        auth: recoveredAuth(payload!),
        ...(payload!.requestId ? { requestId: payload!.requestId } : {}),
        ...(payload!.traceId ? { traceId: payload!.traceId } : {}),
      };
      void this.execute(lease.runId, plan.kind === 'restart' ? plan.input : null, run, true);
      this.options.onRecovered?.(
        lease.runId,
        plan.kind === 'restart' ? 'started over (it had no checkpoint)' : `resumed from its last checkpoint (execution ${lease.attempts})`,
      );
      return;
    }
    if (plan.kind === 'interrupt') {
      await this.markFailed(lease.runId, plan.message, 'interrupted');
      this.options.onRecovered?.(lease.runId, `failed: interrupted (${plan.message})`);
    }
    await leases.release(lease.runId);
  }

  /**
   * A run the checkpoint calls running that this process is not executing: is its owner alive? An
   * expired lease is claimed here and then (like the sweep would) resumed or ended `interrupted`;
   * a run with no lease at all was started before leases existed and is ended `interrupted`.
   * Returns the settled view, or undefined when the run is legitimately running elsewhere.
   */
  private async settleOrphan(runId: string): Promise<RunView | undefined> {
    const leases = this.options.leases!;
    let found: Awaited<ReturnType<RunLeases['lookup']>>;
    try {
      found = await leases.lookup(runId);
    } catch {
      return undefined; // the lease store cannot say: report what the checkpoint says
    }
    if (found && !found.expired) return undefined;
    if (!found) {
      const again = await this.view(runId); // it may have finished (and released its lease) just now
      if (again?.status !== 'running') return again;
      await this.markFailed(runId, 'no process holds this run (it was started before runs had leases): it was interrupted', 'interrupted');
      return this.view(runId);
    }
    if (this.drained) return undefined; // another instance will claim it
    const claimed = await leases.claim(runId).catch(() => undefined);
    if (!claimed) return undefined; // another instance won it: running there
    await this.recover(claimed);
    return this.view(runId);
  }

  /** A run that has not written its first checkpoint yet is known by its lease, which holds its input. */
  private async beforeFirstCheckpoint(runId: string): Promise<RunView | undefined> {
    const found = await this.options.leases?.lookup(runId).catch(() => undefined);
    const input = found && parseLeasePayload(found.lease.payload)?.input;
    return input ? { run_id: runId, status: 'running', state: input as AnalysisState } : undefined;
  }

  /** undefined only when the run does not exist; a store that cannot be read is DependencyUnavailable 'run_store' (a poller must not be told "gone"). */
  private async view(runId: string): Promise<RunView | undefined> {
    let snapshot: StateSnapshot;
    try {
      snapshot = await this.graph.getState({ configurable: { thread_id: runId } });
    } catch (err) {
      throw new DependencyUnavailable('run_store', { cause: err });
    }
    const state = snapshot.values as AnalysisState;
    if (!state?.workspaceId || !started(snapshot)) return undefined;
    const status = statusOf(snapshot, state);
    const reason = status === 'failed' ? reasonOf(state) : undefined;
    return { run_id: runId, status, ...(reason ? { reason } : {}), state };
  }

  /** Records the run as failed; false when it could not be (it never checkpointed, or the store is unavailable). */
  private async markFailed(runId: string, message: string, kind: RunFailureKind): Promise<boolean> {
    // Nothing to mark (it never checkpointed), or the store cannot say: never a rejection (it would be unhandled).
    if (!(await this.view(runId).catch(() => undefined))) return false;
    try {
      await this.graph.updateState({ configurable: { thread_id: runId } }, { errors: [{ node: 'run', kind, message }] });
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Whether the run got past its input checkpoint. A process that died right after writing it leaves
 * a thread LangGraph reports with no next step (as if completed); the run has not started, and its
 * lease (which holds the input) is what tells about it.
 */
const started = (snapshot: StateSnapshot) => snapshot.metadata?.step !== -1;

/** Kinds of a run-level error that end the run `failed`: a failure, its time budget spent, or its process gone. */
type RunFailureKind = 'failed' | 'timeout' | 'interrupted';
const RUN_FAILURE_KINDS: readonly string[] = ['failed', 'timeout', 'interrupted'] satisfies RunFailureKind[];

const runFailure = (state: AnalysisState) => state.errors?.find((e) => e.node === 'run' && RUN_FAILURE_KINDS.includes(e.kind ?? ''));

function statusOf(snapshot: StateSnapshot, state: AnalysisState): RunStatus {
  if (runFailure(state)) return 'failed';
  if (snapshot.tasks.some((t) => t.interrupts.length > 0)) return 'awaiting_approval';
  if (snapshot.next.length > 0) return 'running';
  return hasNoData(state) ? 'no_data' : 'completed';
}

function reasonOf(state: AnalysisState): RunStatusReason {
  const kind = runFailure(state)?.kind;
  return kind === 'interrupted' || kind === 'timeout' ? kind : 'error';
}

function safeMessage(err: unknown): string {
  return String((err as Error)?.message ?? err)
    .split('\n')[0]!
    .slice(0, 300);
}
