/**
 * The worker-thread pool of the findings analysers (piscina), owned by the composition root: built
 * from ANALYSIS_WORKER_THREADS, closed when the app closes. Series are packed into transferred
 * Float64Arrays (packed-series.ts); findings come back by structured clone. An aborted signal takes a
 * queued task off the queue, or terminates the worker running it (piscina starts a fresh one for the
 * next task), and the call rejects with AnalysisAborted. `threads: 0` runs the same work inline, for
 * debugging with a plain stack trace.
 *
 * Workers start on demand and retire when idle, so an app that never analyses starts no thread.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { CollectOptions } from '../findings/index.js';
import type { AnalysisKind, Finding, SeriesData } from '../types.js';
import { AnalysisAborted, inlineFindingsEngine, throwIfAborted, type FindingsEngine } from './findings-engine.js';
import type { FindingsTask } from './findings-worker.js';
import { packSeries, transferablesOf } from './packed-series.js';

export type FindingsTaskOutcome = 'ok' | 'aborted' | 'error';

export interface FindingsPoolOptions {
  /** Worker threads; 0 runs every task inline on the caller's thread. */
  threads: number;
  /** An idle worker is retired after this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Called once per task with how it ended and how long it took (queueing included), for metrics. */
  onTask?: (outcome: FindingsTaskOutcome, durationMs: number) => void;
}

export interface FindingsPool extends FindingsEngine {
  readonly mode: 'worker' | 'inline';
  /** Ids of the worker threads alive right now (none inline, or while no task has needed one); an aborted task's worker is replaced. */
  readonly threadIds: number[];
  /** Waits for running tasks, then stops every worker; later calls reject. */
  close(): Promise<void>;
}

/**
 * The worker's entry module next to this one: compiled JavaScript in a build, or — when this module
 * is itself TypeScript (tsx, vitest) — the bootstrap that loads the TypeScript task through tsx.
 */
export function workerEntry(moduleUrl: string = import.meta.url): string {
  const fromSources = new URL(moduleUrl).pathname.endsWith('.ts');
  return fileURLToPath(new URL(fromSources ? './findings-worker.source.mjs' : './findings-worker.js', moduleUrl));
}

export function createFindingsPool(options: FindingsPoolOptions): FindingsPool {
  const observe = (started: number, signal: AbortSignal | undefined, err?: unknown) =>
    options.onTask?.(err === undefined ? 'ok' : signal?.aborted ? 'aborted' : 'error', performance.now() - started);
  let closed = false;
  const refuseWhenClosed = () => {
    // Piscina would start a new worker for a task posted after close: the app is shutting down.
    if (closed) throw new Error('the findings engine is closed');
  };

  if (options.threads === 0) {
    return {
      mode: 'inline',
      threadIds: [],
      async collect(series, analyses, collectOptions, signal) {
        refuseWhenClosed();
        const started = performance.now();
        try {
          const findings = await inlineFindingsEngine.collect(series, analyses, collectOptions, signal);
          observe(started, signal);
          return findings;
        } catch (err) {
          observe(started, signal, err);
          throw err;
        }
      },
      close: async () => {
        closed = true;
      },
    };
  }

  const pool = new Piscina<FindingsTask, Finding[]>({
    filename: workerEntry(),
    minThreads: 0,
    maxThreads: options.threads,
    idleTimeout: options.idleTimeoutMs ?? 60_000,
  });
  return {
    mode: 'worker',
    get threadIds() {
      return pool.threads.map((t) => t.threadId);
    },
    async collect(
      series: readonly SeriesData[],
      analyses: readonly AnalysisKind[],
      collectOptions: CollectOptions = {},
      signal?: AbortSignal,
    ): Promise<Finding[]> {
      refuseWhenClosed();
      const started = performance.now();
      try {
        throwIfAborted(signal);
        const packed = packSeries(series);
        const findings = await pool.run(
          { series: packed, analyses: [...analyses], options: collectOptions },
          { transferList: transferablesOf(packed), ...(signal ? { signal } : {}) },
        );
        observe(started, signal);
        return findings;
      } catch (err) {
        observe(started, signal, err);
        if (signal?.aborted) throw err instanceof AnalysisAborted ? err : new AnalysisAborted(signal.reason);
        throw err;
      }
    },
    close: () => {
      closed = true;
      return pool.close();
    },
  };
}
