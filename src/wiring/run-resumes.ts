/**
 * Part of the composition root: analysis runs resume when their remediation is decided. The
 * remediation service publishes the decision and, when approved, the outcome of the execution it
 * just did (src/remediation/decisions.ts); this listener resumes every run that proposed or joined
 * the remediation with `{ decision, outcome }`, and the run's remediate node records it.
 *
 * A resume that fails (the checkpoint store cannot be used) is logged, counted
 * (`aiops_run_resume_failures_total`) and retried by this process every RETRY_MS, at most
 * MAX_ATTEMPTS times; the remediation's record is the truth meanwhile, and the run shows the outcome
 * once resumed. Retries live in this process only: one that stops first leaves the run awaiting
 * approval, and the remediation says what was done.
 */
import { Counter, type Registry } from 'prom-client';
import type { AnalysisRuns } from '../../agents/runs.js';
import type { ApprovalResume } from '../../agents/analysis/state.js';
import type { RemediationDecided, RemediationDecisions } from '../remediation/decisions.js';
import { DependencyUnavailable, shortCause } from '../resilience/dependency-unavailable.js';

const RETRY_MS = 15_000;
/** About five minutes of retries: longer than a store restart, short of holding events forever. */
const MAX_ATTEMPTS = 20;

export function resumeRunsOnDecisions(
  decisions: RemediationDecisions,
  runs: Pick<AnalysisRuns, 'resume' | 'draining'>,
  deps: { registry?: Registry; warn?: (msg: string) => void; retryMs?: number },
): { stop(): void } {
  const retryMs = deps.retryMs ?? RETRY_MS;
  const failures =
    deps.registry &&
    new Counter({
      name: 'aiops_run_resume_failures_total',
      help: 'Analysis runs that could not be resumed with the decision on their remediation (each attempt; retried, the remediation records the outcome)',
      registers: [deps.registry],
    });
  const waiting = new Map<string, { event: RemediationDecided; attempts: number }>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const resumeOne = async (runId: string, event: RemediationDecided, attempt: number): Promise<void> => {
    try {
      await runs.resume(event.auth, runId, answerOf(event));
      waiting.delete(runId);
    } catch (err) {
      failures?.inc();
      const again = attempt < MAX_ATTEMPTS && !stopped;
      deps.warn?.(
        `analysis run ${runId} not resumed with the ${event.decision.decision} of remediation ${event.remediationId} ` +
          `(attempt ${attempt}; ${again ? `retried in ${Math.round(retryMs / 1000)} s` : 'given up: the remediation records the outcome'}): ` +
          shortCause(err instanceof DependencyUnavailable ? err.cause : err),
      );
      if (!again) return void waiting.delete(runId);
      waiting.set(runId, { event, attempts: attempt });
      timer ??= setTimeout(() => void retryWaiting(), retryMs);
      timer.unref();
    }
  };

  const retryWaiting = async (): Promise<void> => {
    timer = undefined;
    if (stopped || runs.draining) return; // a process shutting down leaves them to the remediation's record
    for (const [runId, { event, attempts }] of [...waiting]) await resumeOne(runId, event, attempts + 1);
  };

  decisions.subscribe(async (event) => {
    for (const runId of event.runIds) await resumeOne(runId, event, 1);
  });
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      waiting.clear();
    },
  };
}

function answerOf(event: RemediationDecided): ApprovalResume {
  return { decision: event.decision, ...(event.outcome ? { outcome: event.outcome } : {}) };
}
