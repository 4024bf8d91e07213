/**
 * Part of the composition root: the LLM layer and its tracing from the configuration. No provider
 * configured → no ChatLlm (every caller takes its deterministic path); Langfuse keys + host set →
 * tracing (the OTel SDK starts here, when called, never at import).
 */
import type { AuditLog } from '../audit/event.js';
import type { Config } from '../config.js';
import { createChatLlm, type LlmAttempt } from '../llm/chat-llm.js';
import { createTracing, type LlmTracing } from '../llm/tracing.js';
import type { ChatLlm } from '../llm/types.js';

export function buildChatLlm(
  config: Config,
  deps: { audit: AuditLog; tracing?: LlmTracing; onAttempt?: (attempt: LlmAttempt) => void },
): ChatLlm | undefined {
  const { llm } = config;
  return createChatLlm({
    ollama: llm.ollamaBaseUrl ? { baseUrl: llm.ollamaBaseUrl, model: llm.ollamaModel } : undefined,
    openai: llm.openaiApiKey ? { apiKey: llm.openaiApiKey, baseUrl: llm.openaiBaseUrl, model: llm.openaiModel } : undefined,
    timeoutMs: llm.timeoutMs,
    audit: deps.audit,
    tracing: deps.tracing,
    ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
  });
}

/** Starts Langfuse tracing when LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY and LANGFUSE_HOST are all set; call `shutdown()` on close. */
export function buildTracing(config: Config, release?: string): Promise<LlmTracing | undefined> {
  return createTracing({ ...config.langfuse, environment: config.env, release });
}
