export type { ChatLlm, LlmCallOptions, LlmResult, PromptRef } from './types.js';
export { createChatLlm, createChatLlmFrom, type ChatLlmOptions, type ChatLlmResult } from './chat-llm.js';
export { LlmTimeoutError, LlmUnavailableError } from './errors.js';
export { callCostUsd } from './pricing.js';
export type { ChatProvider, OllamaOptions, OpenAIOptions } from './providers.js';
export { createTracing, type LlmTracing, type TraceContext, type TracingOptions } from './tracing.js';
export type { LlmUsage } from './usage.js';
