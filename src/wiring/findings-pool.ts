/**
 * Part of the composition root: the findings analysers' worker pool (ANALYSIS_WORKER_THREADS; 0 runs
 * them inline), with its task counter in /metrics. Shared by the analysis graph, the tools, chat and
 * the routes that analyse inline; closed with the agent kit (src/wiring/agent-kit.ts).
 */
import { Counter, type Registry } from 'prom-client';
import { createFindingsPool, type FindingsPool } from '../analysis/workers/findings-pool.js';
import type { Config } from '../config.js';

export function buildFindingsPool(config: Config, registry: Registry | undefined): FindingsPool {
  const mode = config.compute.workerThreads === 0 ? 'inline' : 'worker';
  const tasks =
    registry &&
    new Counter({
      name: 'aiops_analysis_tasks_total',
      help: 'Findings analyser tasks by where they ran (worker pool or inline) and how they ended (aborted: time budget spent or client gone)',
      labelNames: ['mode', 'outcome'] as const,
      registers: [registry],
    });
  return createFindingsPool({
    threads: config.compute.workerThreads,
    ...(tasks ? { onTask: (outcome) => tasks.inc({ mode, outcome }) } : {}),
  });
}
