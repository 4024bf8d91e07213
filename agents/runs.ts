/**
 * Analysis runs over the graph: start one (answering synchronously when it finishes in time,
 * otherwise letting it continue in the background), read one back from its checkpoint (on any
 * replica), and resume one at the approval gate. A run belongs to the workspace it was started in:
 * reading or resuming it from another workspace is indistinguishable from a run that does not exist.
 */
import { randomUUID } from 'node:crypto';
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { Command, type StateSnapshot } from '@langchain/langgraph';
import type { AuthContext } from '../src/auth/auth-context.js';
import { timedOut } from '../src/budget/abort-reason.js';
import type { RunContext } from './deps.js';
import type { AnalysisGraph } from './graph.js';
import type { ApprovalDecision, AnalysisRequest, AnalysisState } from './state.js';

export type RunStatus = 'running' | 'awaiting_approval' | 'completed' | 'failed';

export interface RunView {
  run_id: string;
  status: RunStatus;
  state: AnalysisState;
}

export interface AnalysisRunsOptions {
  /** How long `start` waits before answering "still running". */
  syncWaitMs: number;
  /** Tracing callbacks for a run (Langfuse: session = run, user = sub), so nodes, tools and model calls nest in one trace. */
  callbacksFor?: (runId: string, auth: AuthContext) => BaseCallbackHandler[];
  onBackgroundError?: (runId: string, err: unknown) => void;
  /**
   * Time budget of a run started by `start` (ANALYSIS_TIMEOUT_SECONDS): its signal reaches the metrics
   * fetches, the worker-pool analysis and the model calls; a run past it ends `failed` with an error of
   * kind `timeout`. It counts from the start whether or not anyone still waits (POST /analyze answers 202
   * and the run goes on; a client that leaves does not stop it). Resuming after an approval is not bounded here.
   */
  timeoutMs?: number;
  /** Awaited before every use of the checkpoint store; rejects (→ CheckpointStoreUnavailable) while it is down. */
  beforeUse?: () => Promise<void>;
}

/** The checkpoint store cannot be used right now (the route answers 503). */
export class CheckpointStoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the run store is unavailable: ${String((cause as Error)?.message ?? cause).split('\n')[0]}`);
    this.name = 'CheckpointStoreUnavailable';
  }
}

export class AnalysisRuns {
  /** Runs this process is executing right now (others may run on other replicas). */
  private readonly active = new Set<string>();

  constructor(private readonly graph: AnalysisGraph, private readonly options: AnalysisRunsOptions) {}

  async start(auth: AuthContext, request: AnalysisRequest, run: Omit<RunContext, 'auth'> = {}): Promise<RunView> {
    await this.ready();
    const runId = randomUUID();
    const config = { configurable: { thread_id: runId, run: { ...run, auth } satisfies RunContext }, callbacks: this.options.callbacksFor?.(runId, auth) ?? [] };
    const initial = { workspaceId: auth.workspaceId, requestedBy: auth.sub, request };
    this.active.add(runId);
    const deadline = this.options.timeoutMs ? AbortSignal.timeout(this.options.timeoutMs) : undefined;
    const execution = this.graph.invoke(initial, { ...config, ...(deadline ? { signal: deadline } : {}) }).then(
      () => undefined,
      async (err: unknown) => {
        if (timedOut(deadline)) return this.markFailed(runId, new Error(`the analysis took longer than its time budget of ${this.options.timeoutMs! / 1000} s and was stopped`), 'timeout');
        this.options.onBackgroundError?.(runId, err);
        await this.markFailed(runId, err);
      },
    ).finally(() => this.active.delete(runId));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([execution, new Promise((resolve) => (timer = setTimeout(resolve, this.options.syncWaitMs)))]);
    clearTimeout(timer);
    return (await this.view(runId)) ?? { run_id: runId, status: 'running', state: initial as AnalysisState };
  }

  /** The run as its checkpoint has it, or undefined when it does not exist in this workspace. */
  async get(auth: AuthContext, runId: string): Promise<RunView | undefined> {
    await this.ready();
    const view = await this.view(runId);
    return view && view.state.workspaceId === auth.workspaceId ? view : undefined;
  }

  /**
   * Resumes a run waiting at the approval gate with a human decision (the caller checked the
   * approver's permission). Returns undefined when there is no such run awaiting approval.
   */
  async resume(auth: AuthContext, runId: string, decision: ApprovalDecision): Promise<RunView | undefined> {
    await this.ready();
    const view = await this.get(auth, runId);
    if (!view || view.status !== 'awaiting_approval') return undefined;
    const config = { configurable: { thread_id: runId, run: { auth } satisfies RunContext }, callbacks: this.options.callbacksFor?.(runId, auth) ?? [] };
    this.active.add(runId);
    try {
      await this.graph.invoke(new Command({ resume: decision }), config);
    } catch (err) {
      await this.markFailed(runId, err);
    } finally {
      this.active.delete(runId);
    }
    return this.view(runId);
  }

  private async ready(): Promise<void> {
    try {
      await this.options.beforeUse?.();
    } catch (err) {
      throw new CheckpointStoreUnavailable(err);
    }
  }

  private async view(runId: string): Promise<RunView | undefined> {
    let snapshot: StateSnapshot;
    try {
      snapshot = await this.graph.getState({ configurable: { thread_id: runId } });
    } catch {
      return undefined;
    }
    const state = snapshot.values as AnalysisState;
    if (!state?.workspaceId) return undefined;
    return { run_id: runId, status: statusOf(snapshot, state), state };
  }

  private async markFailed(runId: string, err: unknown, kind: RunFailureKind = 'failed'): Promise<void> {
    try {
      await this.graph.updateState({ configurable: { thread_id: runId } }, { errors: [{ node: 'run', kind, message: safeMessage(err) }] });
    } catch {
      // the run never checkpointed: there is nothing to mark
    }
  }
}

/** Kinds of a run-level error that end the run `failed`: any failure, or its time budget spent. */
const RUN_FAILURE_KINDS: readonly string[] = ['failed', 'timeout'] satisfies RunFailureKind[];
type RunFailureKind = 'failed' | 'timeout';

function statusOf(snapshot: StateSnapshot, state: AnalysisState): RunStatus {
  if (state.errors?.some((e) => e.node === 'run' && RUN_FAILURE_KINDS.includes(e.kind ?? ''))) return 'failed';
  if (snapshot.tasks.some((t) => t.interrupts.length > 0)) return 'awaiting_approval';
  return snapshot.next.length === 0 ? 'completed' : 'running';
}

function safeMessage(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 300);
}
