/**
 * The worker thread's task: the findings analysers (pure computation, src/analysis/findings) over
 * series packed by the main thread. Loaded by piscina from `dist/` as compiled JavaScript, or from the
 * sources through findings-worker.source.mjs (see README.md).
 */
import { collectFindings, type CollectOptions } from '../findings/index.js';
import type { AnalysisKind, Finding } from '../types.js';
import { unpackSeries, type PackedSeries } from './packed-series.js';

export interface FindingsTask {
  series: PackedSeries;
  analyses: AnalysisKind[];
  options: CollectOptions;
}

export default function runFindingsTask(task: FindingsTask): Finding[] {
  return collectFindings(unpackSeries(task.series), task.analyses, task.options);
}
