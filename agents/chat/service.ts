/**
 * Conversations over the chat graph: start a turn on a new or an existing thread and stream its
 * events, list the caller's threads, read one back. A thread belongs to (workspace, token subject):
 * for anyone else it does not exist (ThreadNotFound, whether it is another user's, another
 * workspace's or nobody's). One turn runs at a time per thread (a lease in the thread index, so
 * across replicas too); the turn's work starts at once and runs to its end even if nobody reads
 * the events, unless the caller's signal aborts it (client gone). Failures become an `error` event,
 * and `done` always comes last, after the lease is released. The user's message is redacted
 * (src/audit/redact.ts) before it reaches the thread's title, its checkpoint or a model.
 */
import { randomUUID } from 'node:crypto';
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { GraphRecursionError } from '@langchain/langgraph';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { deadline } from '../../src/budget/deadline.js';
import { AuditUnavailableError } from '../../src/audit/event.js';
import { redactString } from '../../src/audit/redact.js';
import { DependencyUnavailable } from '../../src/resilience/dependency-unavailable.js';
import type { ChatEvent } from '../../src/chat/events.js';
import { titleFrom, type ThreadRecord, type ThreadStore } from '../../src/chat/thread-store.js';
import type { TurnContext } from './deps.js';
import { ThreadBusy, ThreadNotFound } from '../../src/chat/thread-errors.js';
import { ChatTurnError } from './errors.js';
import type { ChatGraph } from './graph.js';
import type { ChatState, TranscriptEntry } from './state.js';
import { inTrace } from '../../src/llm/trace-context.js';
import { TokenStreamHandler } from './token-stream.js';

export interface ChatServiceOptions {
  /** Business clock (thread and message times); tests pin it. */
  now: () => number;
  /** Model calls per turn (sets the graph's recursion limit above what a turn can need). */
  maxSteps: number;
  /** Awaited before each use of the checkpoint store; rejects while it is down. */
  beforeUse?: () => Promise<void>;
  /**
   * Time budget of one turn (CHAT_TURN_TIMEOUT_SECONDS): its signal stops the model calls and the tools'
   * work, and the turn ends with an `error` event, reason `timeout` (then `done`).
   */
  turnTimeoutMs?: number;
  /** Tracing callbacks for a turn (Langfuse: session = thread, user = sub). */
  callbacksFor?: (threadId: string, auth: AuthContext, request: { requestId?: string }) => BaseCallbackHandler[];
  /** How long a turn may hold its thread before another may take it over (a crashed replica's lease runs out). */
  leaseMs?: number;
  onError?: (threadId: string, err: unknown) => void;
  /** Told how each turn ended and how long it took (the service's metrics); must not throw. */
  onTurnEnd?: (outcome: 'completed' | 'failed' | 'timeout' | 'cancelled', durationMs: number) => void;
  /** Takes a concurrency slot for a turn, or throws (the workspace is at its limit); released when the turn ends. */
  admit?: (auth: AuthContext) => Promise<{ release(): void }>;
}

export interface ChatTurn {
  threadId: string;
  events: AsyncIterable<ChatEvent>;
}

export interface ThreadView {
  record: ThreadRecord;
  messages: TranscriptEntry[];
}

/** An unbounded single-consumer queue of events, ended by `close`. */
class EventQueue implements AsyncIterable<ChatEvent> {
  private readonly items: ChatEvent[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(e: ChatEvent): void {
    if (this.closed) return;
    this.items.push(e);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ChatEvent> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift()!;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

function errorEvent(err: unknown): ChatEvent {
  if (err instanceof ChatTurnError) return { event: 'error', data: { message: err.message, reason: err.reason } };
  if (err instanceof DependencyUnavailable) return { event: 'error', data: { message: err.message, reason: err.reason } };
  if (err instanceof GraphRecursionError)
    return { event: 'error', data: { message: 'the turn took more steps than allowed', reason: 'step_limit' } };
  if (err instanceof AuditUnavailableError || (err as { name?: string })?.name === 'AuditUnavailableError') {
    return {
      event: 'error',
      data: { message: 'the audit trail is unavailable, so nothing more can be done now; try again later', reason: 'audit_unavailable' },
    };
  }
  return { event: 'error', data: { message: 'the chat turn failed unexpectedly; try again', reason: 'internal_error' } };
}

export class ChatService {
  constructor(
    private readonly graph: ChatGraph,
    private readonly store: ThreadStore,
    private readonly options: ChatServiceOptions,
  ) {}

  /**
   * Starts a turn: on `threadId` (which must be the caller's) or on a new thread. Throws
   * ThreadNotFound, ThreadBusy or DependencyUnavailable 'chat_store' before any event.
   */
  async startTurn(
    auth: AuthContext,
    input: { message: string; threadId?: string },
    run: { requestId?: string; traceId?: string; signal?: AbortSignal } = {},
  ): Promise<ChatTurn> {
    await this.ready();
    const slot = await this.options.admit?.(auth);
    // A secret typed into chat is masked here, once: what is stored and what a model reads are the same text.
    const message = redactString(input.message);
    const holder = randomUUID();
    const leaseUntil = Date.now() + (this.options.leaseMs ?? 10 * 60_000);
    const now = this.options.now();
    let threadId = input.threadId;
    let isNew = false;
    try {
      if (threadId) {
        const record = await this.store.get(threadId);
        if (!record || record.workspace_id !== auth.workspaceId || record.sub !== auth.sub) throw new ThreadNotFound(threadId);
        if (!(await this.store.acquire(threadId, holder, leaseUntil, Date.now()))) throw new ThreadBusy(threadId);
      } else {
        threadId = randomUUID();
        isNew = true;
        await this.store.create(
          {
            thread_id: threadId,
            workspace_id: auth.workspaceId,
            sub: auth.sub,
            title: titleFrom(message),
            created_at: now,
            updated_at: now,
            turns: 0,
          },
          holder,
          leaseUntil,
        );
      }
    } catch (err) {
      slot?.release();
      if (err instanceof ThreadNotFound || err instanceof ThreadBusy) throw err;
      throw new DependencyUnavailable('chat_store', { cause: err });
    }
    const id = threadId;
    const queue = new EventQueue();
    queue.push({ event: 'thread', data: { thread_id: id } });
    const turn: TurnContext = {
      auth,
      ...(run.requestId ? { requestId: run.requestId } : {}),
      ...(run.traceId ? { traceId: run.traceId } : {}),
      sink: (e) => queue.push(e),
      streamed: { chars: 0 },
    };
    const budget = this.options.turnTimeoutMs ? deadline(this.options.turnTimeoutMs, run.signal) : undefined;
    const signal = budget?.signal ?? run.signal;
    const at = new Date(now).toISOString();
    const graphInput = isNew
      ? { workspaceId: auth.workspaceId, owner: auth.sub, incoming: { text: message, at } }
      : { incoming: { text: message, at } };
    const config = {
      configurable: { thread_id: id, turn },
      callbacks: [
        new TokenStreamHandler(turn),
        ...(this.options.callbacksFor?.(id, auth, { ...(run.requestId ? { requestId: run.requestId } : {}) }) ?? []),
      ],
      recursionLimit: 2 * this.options.maxSteps + 10,
      ...(signal ? { signal } : {}),
    };
    void (async () => {
      let completed = false;
      let outcome: 'completed' | 'failed' | 'timeout' | 'cancelled' = 'failed';
      const startedAt = Date.now();
      try {
        // In the request's trace: the turn's spans and its audit rows share one trace id.
        await inTrace(run.traceId, () => this.graph.invoke(graphInput, config));
        completed = true;
        outcome = 'completed';
      } catch (err) {
        outcome = run.signal?.aborted ? 'cancelled' : budget?.expired() ? 'timeout' : 'failed';
        if (budget?.expired() && !run.signal?.aborted) {
          queue.push({
            event: 'error',
            data: {
              message: `the turn took longer than its time budget of ${this.options.turnTimeoutMs! / 1000} s and was stopped`,
              reason: 'timeout',
            },
          });
        } else if (!run.signal?.aborted) {
          queue.push(errorEvent(err));
          this.options.onError?.(id, err);
        }
      } finally {
        this.options.onTurnEnd?.(outcome, Date.now() - startedAt);
        budget?.clear();
        await this.store
          .release(id, holder, { updatedAt: this.options.now(), turnCompleted: completed })
          .catch((err: unknown) => this.options.onError?.(id, err));
        slot?.release();
        queue.push({ event: 'done', data: {} });
        queue.close();
      }
    })();
    return { threadId: id, events: queue };
  }

  /** The caller's threads in their workspace, most recently active first. */
  async listThreads(auth: AuthContext, limit: number): Promise<ThreadRecord[]> {
    await this.ready();
    return this.store.list(auth.workspaceId, auth.sub, limit).catch((err: unknown) => {
      throw new DependencyUnavailable('chat_store', { cause: err });
    });
  }

  /** A thread with its transcript, or undefined when it is not the caller's. */
  async getThread(auth: AuthContext, threadId: string): Promise<ThreadView | undefined> {
    await this.ready();
    const record = await this.store.get(threadId).catch((err: unknown) => {
      throw new DependencyUnavailable('chat_store', { cause: err });
    });
    if (!record || record.workspace_id !== auth.workspaceId || record.sub !== auth.sub) return undefined;
    const snapshot = await this.graph.getState({ configurable: { thread_id: threadId } }).catch((err: unknown) => {
      throw new DependencyUnavailable('chat_store', { cause: err });
    });
    const state = snapshot.values as Partial<ChatState>;
    // The checkpoint must agree with the index (defence in depth; a turn that never checkpointed has no state yet).
    if (state.workspaceId !== undefined && (state.workspaceId !== auth.workspaceId || state.owner !== auth.sub)) return undefined;
    return { record, messages: state.transcript ?? [] };
  }

  private async ready(): Promise<void> {
    try {
      await this.options.beforeUse?.();
      await this.store.ensureReady();
    } catch (err) {
      throw new DependencyUnavailable('chat_store', { cause: err });
    }
  }
}
