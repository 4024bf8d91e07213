/**
 * Part of the composition root: the analysis agent. The analysis graph over the shared agent kit
 * (tools, LLM layer, prompts, checkpointer: src/wiring/agent-kit.ts), and the run service the
 * routes use, with leases beside the checkpoints so that another process resumes a run whose
 * process stopped.
 */
import { buildAnalysisGraph } from '../../agents/analysis/graph.js';
import { AnalysisRuns, type AnalysisRunsOptions, type DrainReport } from '../../agents/runs.js';
import type pg from 'pg';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { postgresDriver, sqliteDriver } from '../storage/sql-drivers.js';
import { SqlRunLeaseStore } from '../runs/lease-store.js';
import { RunLeases } from '../runs/leases.js';
import { MemoryRunIndex, SqlRunIndex } from '../runs/run-index.js';
import type { RemediationService } from '../remediation/service.js';
import type { RemediationDecisions } from '../remediation/decisions.js';
import { remediationPort } from './remediation.js';
import { resumeRunsOnDecisions } from './run-resumes.js';
import type { Registry } from 'prom-client';
import type { Config } from '../config.js';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import { createGraphToolBox } from '../../tools/index.js';
import type { AgentKit } from './agent-kit.js';
import type { Limits } from './limits.js';
import type { AuthContext } from '../auth/auth-context.js';

export interface Analysis {
  runs: AnalysisRuns;
  /** Where the findings analysers run (the agent kit's; also for the routes that analyse inline). */
  findings: FindingsEngine;
  /** Shutdown, before close: no new runs, the running ones waited for (runDrainBudgetMs), the rest handed over. Idempotent. */
  drain(): Promise<DrainReport>;
  close(): Promise<void>;
}

/**
 * How long a shutdown waits for running analyses: SHUTDOWN_TIMEOUT_SECONDS minus what closing needs
 * afterwards (in-flight requests, the audit spool's last shipment, clients): half of it, at most 10 s.
 */
export function runDrainBudgetMs(config: Config): number {
  const total = config.http.shutdownTimeoutMs;
  return Math.max(0, total - Math.min(10_000, total / 2));
}

export async function buildAnalysis(
  config: Config,
  kit: AgentKit,
  deps: {
    onBackgroundError: (runId: string, err: unknown) => void;
    warn?: (msg: string) => void;
    /** Proposals of analysis runs become remediations here. */
    remediations?: RemediationService;
    /** Where the remediation service publishes its decisions: the runs that proposed a remediation resume with its decision and outcome. */
    decisions?: RemediationDecisions;
    /** Where the resume-failure counter is registered (/metrics). */
    registry?: Registry;
    /** Concurrency admission of runs (src/wiring/limits.ts). */
    limits?: Pick<Limits, 'analyses'>;
    /** The shared pool when DATABASE_URL is set: run leases live in it, beside the checkpoints. */
    postgres?: pg.Pool;
    /** Told when a run whose process went away is resumed or ended `interrupted`. */
    onRecovered?: (runId: string, outcome: string) => void;
    /** Told when a run's execution settles (the monitor's notifications). */
    onSettled?: AnalysisRunsOptions['onSettled'];
  },
): Promise<Analysis> {
  const { checkpointer, tracing, llm } = kit;
  const toolbox = createGraphToolBox(kit.toolDeps, kit.toolOptions);
  const graph = buildAnalysisGraph(
    {
      toolbox,
      prompts: kit.prompts,
      now: kit.now,
      audit: kit.audit,
      findings: kit.findings,
      ...(llm ? { llm } : {}),
      ...(deps.remediations ? { remediation: remediationPort(deps.remediations) } : {}),
    },
    checkpointer.saver,
  );
  // Leases beside the checkpoints they let another process resume from (src/runs/lease-store.ts says why).
  const leaseStore = deps.postgres
    ? new SqlRunLeaseStore(postgresDriver(deps.postgres))
    : checkpointer.saver instanceof SqliteSaver
      ? new SqlRunLeaseStore({ ...sqliteDriver(checkpointer.saver.db), close: async () => undefined })
      : undefined;
  // The index of each workspace's runs, in the same store (a MemorySaver's runs are listed from memory).
  const index = deps.postgres
    ? new SqlRunIndex(postgresDriver(deps.postgres))
    : checkpointer.saver instanceof SqliteSaver
      ? new SqlRunIndex({ ...sqliteDriver(checkpointer.saver.db), close: async () => undefined })
      : new MemoryRunIndex();
  const leases =
    leaseStore && new RunLeases({ store: leaseStore, leaseMs: config.runs.leaseMs, now: Date.now, warn: (msg) => deps.warn?.(msg) });
  const runs = new AnalysisRuns(graph, {
    syncWaitMs: config.analysis.syncWaitSeconds * 1000,
    timeoutMs: config.compute.analysisTimeoutMs,
    beforeUse: () => checkpointer.ensureReady(),
    onBackgroundError: deps.onBackgroundError,
    ...(deps.limits ? { admit: (auth: AuthContext) => deps.limits!.analyses.admit(auth) } : {}),
    ...(tracing
      ? {
          // The trace carries the request id of the audit rows (and shares their trace id: agents/runs.ts).
          callbacksFor: (runId: string, auth: { sub: string }, request: { requestId?: string }) =>
            tracing.callbacks({
              sessionId: runId,
              userId: auth.sub,
              tags: ['analysis'],
              ...(request.requestId ? { metadata: { request_id: request.requestId } } : {}),
            }),
        }
      : {}),
    ...(leases ? { leases } : {}),
    index, // started times by the wall clock (kit.now is the analysis clock, pinned in demos and tests)
    ...(deps.onRecovered ? { onRecovered: deps.onRecovered } : {}),
    ...(deps.onSettled ? { onSettled: deps.onSettled } : {}),
  });
  const resumes =
    deps.decisions &&
    resumeRunsOnDecisions(deps.decisions, runs, {
      ...(deps.registry ? { registry: deps.registry } : {}),
      ...(deps.warn ? { warn: deps.warn } : {}),
    });
  const sweep = leases ? orphanSweep(runs, leases.leaseMs, deps.warn) : undefined;
  return {
    runs,
    findings: kit.findings,
    drain: () => {
      sweep?.stop();
      resumes?.stop();
      return runs.drain(runDrainBudgetMs(config));
    },
    close: async () => {
      sweep?.stop();
      resumes?.stop();
      await runs.drain(0); // a no-op after drain(); otherwise nothing may run on a closed store
      await index.close();
      await leaseStore?.close(); // the agent kit closes the checkpointer and the pool after this
    },
  };
}

/**
 * Claims and recovers runs whose process went away: once at start (a restarted process picks up
 * its predecessor's runs) and every half lease. Sweeps never overlap; a failing store is logged once
 * per outage, not once per sweep.
 */
function orphanSweep(runs: AnalysisRuns, leaseMs: number, warn?: (msg: string) => void): { stop(): void } {
  let running: Promise<void> | undefined;
  let failing = false;
  const once = () => {
    running ??= runs
      .recoverOrphans()
      .then(
        () => void (failing = false),
        (err: unknown) => {
          if (!failing) warn?.(`run recovery sweep failed (retried every ${Math.round(leaseMs / 2000)} s): ${(err as Error).message}`);
          failing = true;
        },
      )
      .finally(() => (running = undefined));
  };
  once();
  const timer = setInterval(once, Math.max(200, Math.floor(leaseMs / 2)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
