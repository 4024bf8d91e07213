/**
 * Streams the model's text as `token` events. Passed in the turn's run config, it is inherited by
 * the LLM layer's provider call (the graph's callbacks reach the chat model through the LLM layer's
 * traced run); `lc_prefer_streaming` makes LangChain stream the call (ChatOllama always streams;
 * ChatOpenAI then streams instead of its blocking call). Awaited, so tokens are emitted in order
 * with the graph's other events. When a provider does not stream, nothing arrives here and the
 * finish node sends the answer text as token chunks instead.
 */
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { TurnContext } from './deps.js';

export class TokenStreamHandler extends BaseCallbackHandler {
  name = 'chat-token-stream';
  readonly lc_prefer_streaming = true;

  constructor(private readonly turn: Pick<TurnContext, 'sink' | 'streamed'>) {
    super({ _awaitHandler: true });
  }

  override handleLLMNewToken(token: string): void {
    if (typeof token !== 'string' || token.length === 0) return;
    this.turn.streamed.chars += token.length;
    this.turn.sink({ event: 'token', data: { text: token } });
  }
}

/** Splits an answer into token-sized chunks (words with their trailing space), for answers not streamed by a model. */
export function chunkText(text: string, size = 24): string[] {
  const parts = text.match(/\S+\s*|\s+/g) ?? [];
  const out: string[] = [];
  let current = '';
  for (const p of parts) {
    if (current.length + p.length > size && current.length > 0) {
      out.push(current);
      current = '';
    }
    current += p;
  }
  if (current) out.push(current);
  return out;
}
