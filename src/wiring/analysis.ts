/**
 * Part of the composition root: the agent. Tools over the metrics data layer and the audit log,
 * the LLM layer when a provider is configured (deterministic otherwise), prompts, the checkpointer
 * and the analysis graph, and the run service the routes use. The findings analysers run on a pool
 * of worker threads (ANALYSIS_WORKER_THREADS) shared by the graph, the tools, chat and the routes.
 */
import { buildAnalysisGraph } from '../../agents/analysis/graph.js';
import { AnalysisRuns, type DrainReport } from '../../agents/runs.js';
import type pg from 'pg';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { postgresDriver, sqliteDriver } from '../remediation/sql-drivers.js';
import { SqlRunLeaseStore } from '../runs/lease-store.js';
import { RunLeases } from '../runs/leases.js';
import type { AuditLog } from '../audit/event.js';
import type { GuardedRedis } from '../clients/redis.js';
import type { ControlPlaneClient } from '../clients/hexabase.js';
import type { RemediationService } from '../remediation/service.js';
import type { RemediationDecisions } from '../remediation/decisions.js';
import { remediationPort } from './remediation.js';
import { resumeRunsOnDecisions } from './run-resumes.js';
import { cacheFailureToLog, LruQueryCache, RedisQueryCache } from '../metrics/query-cache.js';
import type { Config } from '../config.js';
import { Counter, type Registry } from 'prom-client';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import { buildFindingsPool } from './findings-pool.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { createPromptLibrary, defaultPromptsDir } from '../prompts/index.js';
import { createGraphToolBox, type ToolBox, type ToolBoxOptions, type ToolDeps } from '../../tools/index.js';
import type { ChatLlm } from '../llm/types.js';
import type { LlmTracing } from '../llm/tracing.js';
import type { PromptLibrary } from '../prompts/index.js';
import { openCheckpointer, type Checkpointer } from './checkpointer.js';
import { buildChatLlm, buildTracing } from './llm.js';
import type { Limits } from './limits.js';
import type { AuthContext } from '../auth/auth-context.js';

export interface Analysis {
  runs: AnalysisRuns;
  toolbox: ToolBox;
  llmProviders: readonly string[];
  /** Where the findings analysers run (also for the routes that analyse inline): the worker pool, closed by `close`. */
  findings: FindingsEngine;
  checkpointerKind: 'postgres' | 'sqlite';
  /** What the chat shares with the analysis (src/wiring/chat.ts): the same tool deps and toolbox options (cache, counter), LLM layer, prompts, checkpointer, tracing. */
  shared: {
    toolDeps: ToolDeps;
    toolOptions: ToolBoxOptions;
    llm?: ChatLlm;
    prompts: PromptLibrary;
    checkpointer: Checkpointer;
    tracing?: LlmTracing;
  };
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
  deps: {
    metrics: MetricsSource;
    audit: AuditLog;
    version: string;
    onBackgroundError: (runId: string, err: unknown) => void;
    now?: () => number;
    redis?: GuardedRedis;
    warn?: (msg: string) => void;
    controlPlane?: ControlPlaneClient;
    /** Where the worker pool's task counter is registered (/metrics). */
    registry?: Registry;
    /** Replaces the worker pool (tests hold or count the work); the caller closes it. */
    findings?: FindingsEngine;
    /** Proposals of analysis runs become remediations here. */
    remediations?: RemediationService;
    /** Where the remediation service publishes its decisions: the runs that proposed a remediation resume with its decision and outcome. */
    decisions?: RemediationDecisions;
    /** Concurrency admission of runs and the daily LLM budget (src/wiring/limits.ts). */
    limits?: Pick<Limits, 'analyses' | 'budgeted'>;
    /** The shared pool when DATABASE_URL is set: checkpoints and run leases live in it. */
    postgres?: pg.Pool;
    /** Told when a run whose process went away is resumed or ended `interrupted`. */
    onRecovered?: (runId: string, outcome: string) => void;
  },
): Promise<Analysis> {
  const now = deps.now ?? Date.now;
  const controlPlane = deps.controlPlane;
  const pool = deps.findings ? undefined : buildFindingsPool(config, deps.registry);
  const findings: FindingsEngine = deps.findings ?? pool!;
  // Read-only tool results are cached like query results: shared through Redis when configured.
  const cache = deps.redis
    ? new RedisQueryCache(
        deps.redis,
        (err) => {
          const line = cacheFailureToLog(err);
          if (line) deps.warn?.(`tool cache unavailable: ${line}`);
        },
        'aiops:tools:',
      )
    : new LruQueryCache();
  const toolDeps: ToolDeps = { metrics: deps.metrics, audit: deps.audit, now, ...(controlPlane ? { controlPlane } : {}) };
  toolDeps.findings = findings; // the analysis tools and chat's diagnose tool analyse on the pool too
  const invalidOutputs =
    deps.registry &&
    new Counter({
      name: 'aiops_tool_output_invalid_total',
      help: "Tool answers withheld because they did not match the tool's declared output schema, by tool",
      labelNames: ['tool'] as const,
      registers: [deps.registry],
    });
  const toolOptions: ToolBoxOptions = { cache, ...(invalidOutputs ? { onInvalidOutput: (tool) => invalidOutputs.inc({ tool }) } : {}) };
  const toolbox = createGraphToolBox(toolDeps, toolOptions);
  const tracing = buildTracing(config, deps.version);
  const unbudgeted = buildChatLlm(config, { audit: deps.audit, ...(tracing ? { tracing } : {}) });
  // The chat shares this LLM layer (shared.llm), so both spend the same daily budget.
  const llm = unbudgeted && deps.limits ? deps.limits.budgeted(unbudgeted) : unbudgeted;
  const prompts = createPromptLibrary(config.promptsDir ?? defaultPromptsDir());
  const checkpointer = openCheckpointer(config, deps.postgres);
  const graph = buildAnalysisGraph(
    {
      toolbox,
      prompts,
      now,
      audit: deps.audit,
      findings,
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
          callbacksFor: (runId: string, auth: { sub: string }) =>
            tracing.callbacks({ sessionId: runId, userId: auth.sub, tags: ['analysis'] }),
        }
      : {}),
    ...(leases ? { leases } : {}),
    ...(deps.onRecovered ? { onRecovered: deps.onRecovered } : {}),
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
    toolbox,
    llmProviders: llm?.providers ?? [],
    checkpointerKind: checkpointer.kind,
    findings,
    shared: { toolDeps, toolOptions, prompts, checkpointer, ...(llm ? { llm } : {}), ...(tracing ? { tracing } : {}) },
    drain: () => {
      sweep?.stop();
      resumes?.stop();
      return runs.drain(runDrainBudgetMs(config));
    },
    close: async () => {
      sweep?.stop();
      resumes?.stop();
      await runs.drain(0); // a no-op after drain(); otherwise nothing may run on a closed store
      await leaseStore?.close();
      await checkpointer.close();
      await tracing?.shutdown();
      await pool?.close();
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
