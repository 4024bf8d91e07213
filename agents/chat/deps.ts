/**
 * What the conversation graph's nodes use, injected by the builder (tests pass fakes), and the
 * per-turn context that travels in `config.configurable.turn` — the verified identity, the request
 * ids and the event sink — never in the checkpointed state.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { AuthContext } from '../../src/auth/auth-context.js';
import type { EventSink } from '../../src/chat/events.js';
import type { RemediationProposer } from '../../src/chat/remediation-port.js';
import type { ChatLlm } from '../../src/llm/types.js';
import type { PromptLibrary } from '../../src/prompts/index.js';
import type { ToolBox, ToolContext } from '../../tools/index.js';

export interface ChatDeps {
  /** The chat's toolbox: the model-facing tools plus diagnose_workspace (scope, validation, audit, cache). */
  toolbox: ToolBox;
  /** Absent: deterministic mode (intents served by the tools, free-form questions need a model). */
  llm?: ChatLlm;
  /** Needed with `llm` (the chat system prompt). */
  prompts?: PromptLibrary;
  /** The remediation service; absent: chat says remediation is not available. */
  proposer?: RemediationProposer;
  now: () => number;
  /** Model calls per turn before the turn stops with a partial answer (CHAT_MAX_STEPS). */
  maxSteps: number;
  /** Token budget of a model call's prompt: system prompt, summary of older turns, recent messages (CHAT_CONTEXT_TOKENS). */
  contextTokens: number;
}

export interface TurnContext {
  auth: AuthContext;
  requestId?: string;
  traceId?: string;
  /** Where the turn's events go (the HTTP response, through the service's queue). */
  sink: EventSink;
  /** Characters of model text streamed so far in this turn (the token handler counts them). */
  streamed: { chars: number };
}

export function turnContext(config: LangGraphRunnableConfig): TurnContext {
  const ctx = config.configurable?.turn as TurnContext | undefined;
  if (!ctx?.auth) throw new Error('chat graph invoked without configurable.turn.auth');
  return ctx;
}

export function threadIdOf(config: LangGraphRunnableConfig): string {
  const id = config.configurable?.thread_id as string | undefined;
  if (!id) throw new Error('chat graph invoked without a thread_id');
  return id;
}

export function chatToolContext(config: LangGraphRunnableConfig): ToolContext {
  const ctx = turnContext(config);
  return {
    auth: ctx.auth,
    runId: threadIdOf(config),
    channel: 'chat',
    ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
    ...(ctx.traceId ? { traceId: ctx.traceId } : {}),
    // The turn's signal (its time budget, or the client gone): tools stop their work with it.
    ...(config.signal ? { signal: config.signal } : {}),
  };
}
