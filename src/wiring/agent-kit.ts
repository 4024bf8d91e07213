/**
 * Part of the composition root: what every agent works with, built once and shared by the analysis
 * (src/wiring/analysis.ts) and chat (src/wiring/chat.ts). The tools' dependencies (metrics, audit,
 * control plane, the analysis clock, the findings worker pool) and their result cache, the LLM layer
 * behind the workspaces' daily budget (so analyses and chat spend one budget), prompts, the
 * checkpointer (threads and runs continue on any replica) and tracing.
 */
import { Counter, type Registry } from 'prom-client';
import type { FindingsEngine } from '../analysis/workers/findings-engine.js';
import type { AuditLog } from '../audit/event.js';
import type { Config } from '../config.js';
import type { LlmTracing } from '../llm/tracing.js';
import type { ChatLlm } from '../llm/types.js';
import { cacheFailureToLog, LruQueryCache, RedisQueryCache } from '../metrics/query-cache.js';
import { createPromptLibrary, defaultPromptsDir, type PromptLibrary } from '../prompts/index.js';
import type { ToolBoxOptions, ToolDeps } from '../../tools/index.js';
import { openCheckpointer, type Checkpointer } from './checkpointer.js';
import type { Clients } from './clients.js';
import { buildFindingsPool } from './findings-pool.js';
import type { Limits } from './limits.js';

export interface AgentKit {
  /** What every tool works with: metrics, audit, control plane, the analysis clock and the findings engine. */
  toolDeps: ToolDeps;
  /** The toolboxes' options: read-only results cached like query results (through Redis when configured), invalid answers counted. */
  toolOptions: ToolBoxOptions;
  /** Where the findings analysers run (also for the routes that analyse inline). */
  findings: FindingsEngine;
  /** The LLM layer with each workspace's daily budget in front; absent: every caller takes its deterministic path. */
  llm?: ChatLlm;
  tracing?: LlmTracing;
  prompts: PromptLibrary;
  checkpointer: Checkpointer;
  audit: AuditLog;
  /** The analysis clock (tests pin it); conversation times stay wall-clock time. */
  now: () => number;
  /** Closes the checkpointer and the worker pool (not a findings engine the caller gave). */
  close(): Promise<void>;
}

export function buildAgentKit(
  config: Config,
  clients: Pick<Clients, 'audit' | 'metrics' | 'redis' | 'postgres' | 'controlPlane' | 'llm' | 'tracing'> & Partial<Pick<Clients, 'logs'>>,
  deps: {
    limits: Pick<Limits, 'budgeted'>;
    /** Where the worker pool's task counter is registered (/metrics). */
    registry: Registry;
    /** Replaces the worker pool (tests hold or count the work); the caller closes it. */
    findings?: FindingsEngine;
    now: () => number;
    warn: (msg: string) => void;
  },
): AgentKit {
  const { audit, controlPlane, tracing } = clients;
  const pool = deps.findings ? undefined : buildFindingsPool(config, deps.registry);
  const findings: FindingsEngine = deps.findings ?? pool!;
  const cache = clients.redis
    ? new RedisQueryCache(
        clients.redis,
        (err) => {
          const line = cacheFailureToLog(err);
          if (line) deps.warn(`tool cache unavailable: ${line}`);
        },
        'aiops:tools:',
      )
    : new LruQueryCache();
  const invalidOutputs = new Counter({
    name: 'aiops_tool_output_invalid_total',
    help: "Tool answers withheld because they did not match the tool's declared output schema, by tool",
    labelNames: ['tool'] as const,
    registers: [deps.registry],
  });
  const toolOptions: ToolBoxOptions = { cache, onInvalidOutput: (tool) => invalidOutputs.inc({ tool }) };
  // The analysis tools and chat's diagnose tool analyse on the pool too.
  const toolDeps: ToolDeps = {
    metrics: clients.metrics,
    audit,
    now: deps.now,
    findings,
    ...(clients.logs ? { logs: clients.logs } : {}),
    ...(controlPlane ? { controlPlane } : {}),
  };
  const llm = clients.llm && deps.limits.budgeted(clients.llm);
  const checkpointer = openCheckpointer(config, clients.postgres);
  return {
    toolDeps,
    toolOptions,
    findings,
    prompts: createPromptLibrary(config.promptsDir ?? defaultPromptsDir()),
    checkpointer,
    audit,
    now: deps.now,
    ...(llm ? { llm } : {}),
    ...(tracing ? { tracing } : {}),
    close: async () => {
      await checkpointer.close();
      await pool?.close();
    },
  };
}
