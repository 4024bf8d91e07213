/**
 * Part of the composition root: the agent. Tools over the metrics data layer and the audit log,
 * the LLM layer when a provider is configured (deterministic otherwise), prompts, the checkpointer
 * and the analysis graph, and the run service the routes use.
 */
import { buildAnalysisGraph } from '../../agents/graph.js';
import { AnalysisRuns } from '../../agents/runs.js';
import type { AuditLog } from '../audit/event.js';
import { ControlPlaneClient } from '../clients/hexabase.js';
import type { Config } from '../config.js';
import type { MetricsSource } from '../metrics/metrics-source.js';
import { createPromptLibrary, defaultPromptsDir } from '../prompts/index.js';
import { createGraphToolBox, type ToolBox } from '../../tools/index.js';
import { openCheckpointer } from './checkpointer.js';
import { buildChatLlm, buildTracing } from './llm.js';

export interface Analysis {
  runs: AnalysisRuns;
  toolbox: ToolBox;
  llmProviders: readonly string[];
  checkpointerKind: 'postgres' | 'sqlite';
  close(): Promise<void>;
}

export async function buildAnalysis(
  config: Config,
  deps: { metrics: MetricsSource; audit: AuditLog; version: string; onBackgroundError: (runId: string, err: unknown) => void; now?: () => number },
): Promise<Analysis> {
  const now = deps.now ?? Date.now;
  const controlPlane = config.hexabase.apiUrl
    ? new ControlPlaneClient({ baseUrl: config.hexabase.apiUrl, ...(config.hexabase.apiToken ? { internalToken: config.hexabase.apiToken } : {}) })
    : undefined;
  const toolbox = createGraphToolBox({ metrics: deps.metrics, audit: deps.audit, now, ...(controlPlane ? { controlPlane } : {}) });
  const tracing = buildTracing(config, deps.version);
  const llm = buildChatLlm(config, { audit: deps.audit, ...(tracing ? { tracing } : {}) });
  const prompts = createPromptLibrary(defaultPromptsDir());
  const checkpointer = openCheckpointer(config);
  const graph = buildAnalysisGraph({ toolbox, prompts, now, audit: deps.audit, ...(llm ? { llm } : {}) }, checkpointer.saver);
  const runs = new AnalysisRuns(graph, {
    syncWaitMs: config.analysis.syncWaitSeconds * 1000,
    beforeUse: () => checkpointer.ensureReady(),
    onBackgroundError: deps.onBackgroundError,
    ...(tracing ? { callbacksFor: (runId: string, auth: { sub: string }) => tracing.callbacks({ sessionId: runId, userId: auth.sub, tags: ['analysis'] }) } : {}),
  });
  return {
    runs,
    toolbox,
    llmProviders: llm?.providers ?? [],
    checkpointerKind: checkpointer.kind,
    close: async () => {
      await checkpointer.close();
      await tracing?.shutdown();
    },
  };
}
