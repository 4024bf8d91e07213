/**
 * Token usage of a call: the provider's own counts (`usage_metadata`) when it reports them, else a
 * character-based estimate (about 4 characters per token), marked `estimated`. Never tiktoken: its
 * encodings are downloaded on first use, which stalls an offline service for minutes.
 */
import type { AIMessage, BaseMessage } from '@langchain/core/messages';

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported no usage and the counts are a character estimate. */
  estimated: boolean;
}

const CHARS_PER_TOKEN = 4;

export function usageOf(message: AIMessage, input: readonly BaseMessage[]): LlmUsage {
  const u = message.usage_metadata;
  if (u && (u.input_tokens > 0 || u.output_tokens > 0)) {
    return { inputTokens: u.input_tokens, outputTokens: u.output_tokens, estimated: false };
  }
  const inputChars = input.reduce((n, m) => n + contentLength(m.content), 0);
  const outputChars = contentLength(message.content) + JSON.stringify(message.tool_calls ?? []).length - 2;
  return { inputTokens: estimate(inputChars), outputTokens: estimate(outputChars), estimated: true };
}

function estimate(chars: number): number {
  return chars <= 0 ? 0 : Math.ceil(chars / CHARS_PER_TOKEN);
}

function contentLength(content: BaseMessage['content']): number {
  if (typeof content === 'string') return content.length;
  return content.reduce((n: number, part: unknown) => {
    const text = (part as { text?: unknown } | null)?.text;
    return n + (typeof text === 'string' ? text.length : 0);
  }, 0);
}
