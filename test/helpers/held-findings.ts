/**
 * A FindingsEngine for tests that hold an analysis at its analysis step: every call waits until the
 * test releases it (then it answers with the real analysers' findings) or its signal aborts (then it
 * rejects as the worker pool does). Each call records how it ended, so a test can count the work that
 * was stopped and say why.
 */
import { collectFindings } from '../../src/analysis/findings/index.js';
import { AnalysisAborted, type FindingsEngine } from '../../src/analysis/workers/findings-engine.js';

export interface HeldCall {
  outcome: 'waiting' | 'released' | 'aborted';
  reason?: unknown;
  release(): void;
}

export interface HeldFindings {
  engine: FindingsEngine;
  calls: HeldCall[];
  /** Resolves once `n` calls have arrived. */
  arrived(n?: number): Promise<void>;
  /** Resolves once call `i` has ended. */
  ended(i: number): Promise<HeldCall>;
}

export function heldFindings(): HeldFindings {
  const calls: HeldCall[] = [];
  const waiters: (() => void)[] = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  // Bounded, so a test whose analysis never reaches the analysis step fails saying so instead of at the test timeout.
  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`held findings: ${what} within 15 s (calls so far: ${calls.map((c) => c.outcome).join(', ') || 'none'})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return {
    calls,
    engine: {
      collect: (series, analyses, options = {}, signal) =>
        new Promise((resolve, reject) => {
          const call: HeldCall = {
            outcome: 'waiting',
            release: () => {
              if (call.outcome !== 'waiting') return;
              call.outcome = 'released';
              resolve(collectFindings(series, analyses, options));
              notify();
            },
          };
          const abort = () => {
            if (call.outcome !== 'waiting') return;
            Object.assign(call, { outcome: 'aborted', reason: signal!.reason });
            reject(new AnalysisAborted(signal!.reason));
            notify();
          };
          calls.push(call);
          if (signal?.aborted) abort();
          else signal?.addEventListener('abort', abort, { once: true });
          notify();
        }),
    },
    arrived: (n = 1) => until(() => calls.length >= n, `no call ${n} arrived`),
    ended: async (i) => {
      await until(() => calls[i] !== undefined && calls[i].outcome !== 'waiting', `call ${i} did not end`);
      return calls[i]!;
    },
  };
}
