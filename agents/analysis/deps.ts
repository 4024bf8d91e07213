/**
 * What the graph's nodes use, injected by the builder (tests pass fakes), and the per-run context
 * that travels in `config.configurable` (never in the checkpointed state).
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { AuthContext } from '../../src/auth/auth-context.js';
import type { ChatLlm } from '../../src/llm/types.js';
import type { PromptLibrary } from '../../src/prompts/index.js';
import type { ToolBox, ToolContext } from '../../tools/tool.js';
import type { ProposedAction } from '../../src/analysis/types.js';
import type { AuditLog } from '../../src/audit/event.js';
import type { FindingsEngine } from '../../src/analysis/workers/findings-engine.js';

/**
 * The remediation service as the graph sees it: a run's proposals become one pending remediation.
 * Deciding it (the remediation API or chat) executes it in the service, which then resumes the run
 * with the decision and the outcome (wired in the composition root): the graph never calls back.
 */
export interface RemediationPort {
  proposeForRun(auth: AuthContext, runId: string, actions: ProposedAction[], summary: string): Promise<{ id: string; expiresAt: string }>;
}

export interface AgentDeps {
  toolbox: ToolBox;
  /** Absent: the planner and the diagnosis use their deterministic paths. */
  llm?: ChatLlm;
  prompts?: PromptLibrary;
  remediation?: RemediationPort;
  /** Where insights (diagnosis hypotheses) are recorded; absent in tests that do not need them. */
  audit?: AuditLog;
  now: () => number;
  /** Upper bound of points per fetched series (keeps checkpoints and prompts small). */
  maxPointsPerSeries?: number;
  /** Where anomaly-scoring runs the analysers (the worker pool in the service); absent: inline (tests). */
  findings?: FindingsEngine;
}

export interface RunContext {
  auth: AuthContext;
  requestId?: string;
  traceId?: string;
  /** Set on resume after a human approved (carried to mutating tools). */
  approval?: ToolContext['approval'];
}

/** The verified run context of a node call; a run without one is a programming error. */
export function runContext(config: LangGraphRunnableConfig): RunContext {
  const ctx = config.configurable?.run as RunContext | undefined;
  if (!ctx?.auth) throw new Error('analysis graph invoked without configurable.run.auth');
  return ctx;
}

export function toolContext(config: LangGraphRunnableConfig): ToolContext {
  const ctx = runContext(config);
  return {
    auth: ctx.auth,
    runId: config.configurable?.thread_id as string | undefined,
    channel: 'analysis',
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    ...(ctx.traceId ? { traceId: ctx.traceId } : {}),
    ...(ctx.approval ? { approval: ctx.approval } : {}),
    // The run's signal (its time budget): tools stop their fetches and analyses with it.
    ...(config.signal ? { signal: config.signal } : {}),
  };
}

export const progress = (deps: AgentDeps, node: string, message: string) => ({ at: new Date(deps.now()).toISOString(), node, message });
