/**
 * The LLM layer's contract: one chat entry point with Ollama first, OpenAI as fallback, every call
 * timed out, audited (llm_call) and traced. When no provider is configured the layer is absent and
 * every caller uses its deterministic path: the service is fully useful without any LLM.
 */
import type { BaseMessage, AIMessage } from '@langchain/core/messages';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { AuthContext } from '../auth/auth-context.js';

/** Which prompt produced a call (recorded in traces and audit events). */
export interface PromptRef {
  name: string;
  /** sha256 of the rendered template (before variables), hex. */
  hash: string;
}

export interface LlmCallOptions {
  prompt: PromptRef;
  /** `judge`: the offline evals' LLM judge (evals/runner), never the service itself. */
  operation: 'plan' | 'diagnose' | 'chat' | 'judge';
  /** Tools the model may call (bound per call). */
  tools?: StructuredToolInterface[];
  /** Caller identity, for the audit event and the trace (user = sub, session = thread). */
  auth: AuthContext;
  sessionId?: string;
  requestId?: string;
  traceId?: string;
  timeoutMs?: number;
}

export interface LlmResult {
  message: AIMessage;
  provider: 'ollama' | 'openai';
  model: string;
  fallbackUsed: boolean;
  usage: { inputTokens: number; outputTokens: number };
  latencyMs: number;
}

export interface ChatLlm {
  /** e.g. ['ollama:llama3.1:8b', 'openai:gpt-4o-mini'], in the order they are tried. */
  readonly providers: readonly string[];
  invoke(messages: BaseMessage[], options: LlmCallOptions): Promise<LlmResult>;
}
