/**
 * Part of the composition root: the agent. Tools over the metrics data layer and the audit log,
 * the LLM layer when a provider is configured (deterministic otherwise), prompts, the checkpointer
 * and the analysis graph, and the run service the routes use. The findings analysers run on a pool
 * of worker threads (ANALYSIS_WORKER_THREADS) shared by the graph, the tools, chat and the routes.
 */
import { buildAnalysisGraph } from '../../agents/graph.js';
import { AnalysisRuns } from '../../agents/runs.js';
import type { AuditLog } from '../audit/event.js';
import type { Redis } from 'ioredis';
import type { ControlPlaneClient } from '../clients/hexabase.js';
import type { RemediationService } from '../remediation/service.js';
import { remediationPort } from './remediation.js';
import { LruQueryCache, RedisQueryCache } from '../metrics/query-cache.js';
import type { Config } from '../config.js';
import type { Registry } from 'prom-client';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import { buildFindingsPool } from './findings-pool.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { createPromptLibrary, defaultPromptsDir } from '../prompts/index.js';
import { createGraphToolBox, type ToolBox, type ToolDeps } from '../../tools/index.js';
import type { QueryCache } from '../metrics/query-cache.js';
import type { ChatLlm } from '../llm/types.js';
import type { LlmTracing } from '../llm/tracing.js';
import type { PromptLibrary } from '../prompts/index.js';
import { openCheckpointer, type Checkpointer } from './checkpointer.js';
import { buildChatLlm, buildTracing } from './llm.js';

export interface Analysis {
  runs: AnalysisRuns;
  toolbox: ToolBox;
  llmProviders: readonly string[];
  /** Where the findings analysers run (also for the routes that analyse inline): the worker pool, closed by `close`. */
  findings: FindingsEngine;
  checkpointerKind: 'postgres' | 'sqlite';
  /** What the chat shares with the analysis (src/wiring/chat.ts): the same tool deps and cache, LLM layer, prompts, checkpointer, tracing. */
  shared: { toolDeps: ToolDeps; toolCache: QueryCache; llm?: ChatLlm; prompts: PromptLibrary; checkpointer: Checkpointer; tracing?: LlmTracing };
  close(): Promise<void>;
}

export async function buildAnalysis(
  config: Config,
  deps: {
    metrics: MetricsSource; audit: AuditLog; version: string; onBackgroundError: (runId: string, err: unknown) => void; now?: () => number; redis?: Redis; warn?: (msg: string) => void;
    controlPlane?: ControlPlaneClient;
    /** Where the worker pool's task counter is registered (/metrics). */
    registry?: Registry;
    /** Replaces the worker pool (tests hold or count the work); the caller closes it. */
    findings?: FindingsEngine;
    /** Proposals of analysis runs become remediations here; approving one resumes its run. */
    remediations?: RemediationService;
  },
): Promise<Analysis> {
  const now = deps.now ?? Date.now;
  const controlPlane = deps.controlPlane;
  const pool = deps.findings ? undefined : buildFindingsPool(config, deps.registry);
  const findings: FindingsEngine = deps.findings ?? pool!;
  // Read-only tool results are cached like query results: shared through Redis when configured.
  const cache = deps.redis ? new RedisQueryCache(deps.redis, (err) => deps.warn?.(`tool cache unavailable: ${err.message}`), 'aiops:tools:') : new LruQueryCache();
  const toolDeps: ToolDeps = { metrics: deps.metrics, audit: deps.audit, now, ...(controlPlane ? { controlPlane } : {}) };
  toolDeps.findings = findings; // the analysis tools and chat's diagnose tool analyse on the pool too
  const toolbox = createGraphToolBox(toolDeps, { cache });
  const tracing = buildTracing(config, deps.version);
  const llm = buildChatLlm(config, { audit: deps.audit, ...(tracing ? { tracing } : {}) });
  const prompts = createPromptLibrary(config.promptsDir ?? defaultPromptsDir());
  const checkpointer = openCheckpointer(config);
  const graph = buildAnalysisGraph({
    toolbox, prompts, now, audit: deps.audit, findings, ...(llm ? { llm } : {}), ...(deps.remediations ? { remediation: remediationPort(deps.remediations) } : {}),
  }, checkpointer.saver);
  const runs = new AnalysisRuns(graph, {
    syncWaitMs: config.analysis.syncWaitSeconds * 1000,
    timeoutMs: config.compute.analysisTimeoutMs,
    beforeUse: () => checkpointer.ensureReady(),
    onBackgroundError: deps.onBackgroundError,
    ...(tracing ? { callbacksFor: (runId: string, auth: { sub: string }) => tracing.callbacks({ sessionId: runId, userId: auth.sub, tags: ['analysis'] }) } : {}),
  });
  deps.remediations?.attachRuns(runs);
  return {
    runs,
    toolbox,
    llmProviders: llm?.providers ?? [],
    checkpointerKind: checkpointer.kind,
    findings,
    shared: { toolDeps, toolCache: cache, prompts, checkpointer, ...(llm ? { llm } : {}), ...(tracing ? { tracing } : {}) },
    close: async () => {
      await checkpointer.close();
      await tracing?.shutdown();
      await pool?.close();
    },
  };
}
