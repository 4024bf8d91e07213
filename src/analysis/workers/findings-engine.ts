/**
 * Where the findings analysers run. The analysers are pure and synchronous: a 24 h analysis of a
 * workspace is tens to hundreds of milliseconds of CPU (capacity forecasts, anomaly scoring), which on
 * the event loop would stall every other request. Callers (the analysis graph, the analysis tools, the
 * alerts and recommendations routes) go through this interface; the composition root gives them the
 * worker-thread pool (findings-pool.ts), tests and ANALYSIS_WORKER_THREADS=0 the inline engine.
 * Either way an aborted signal stops the work and rejects with AnalysisAborted.
 */
import { abortReasonText } from '../../budget/abort-reason.js';
import { collectFindings, type CollectOptions } from '../findings/index.js';
import type { AnalysisKind, Finding, SeriesData } from '../types.js';

export interface FindingsEngine {
  /** `collectFindings` of the same arguments; rejects with AnalysisAborted once `signal` aborts. */
  collect(
    series: readonly SeriesData[],
    analyses: readonly AnalysisKind[],
    options?: CollectOptions,
    signal?: AbortSignal,
  ): Promise<Finding[]>;
}

/** The work was stopped before it finished: its time budget ran out or its caller went away. */
export class AnalysisAborted extends Error {
  constructor(readonly reason: unknown) {
    super(`the analysis was stopped: ${abortReasonText(reason)}`);
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AnalysisAborted(signal.reason);
}

/** On the caller's thread (tests, ANALYSIS_WORKER_THREADS=0): the signal is honoured before the work starts. */
export const inlineFindingsEngine: FindingsEngine = {
  async collect(series, analyses, options = {}, signal) {
    throwIfAborted(signal);
    return collectFindings(series, analyses, options);
  },
};
