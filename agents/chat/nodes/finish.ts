/**
 * finish: ends the turn. Sends the answer text as token chunks when no model streamed it, emits the
 * `answer` event, and records the exchange in the readable transcript.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { turnContext, type ChatDeps } from '../deps.js';
import { chunkText } from '../token-stream.js';
import type { ChatState, ChatUpdate } from '../state.js';

export function finishNode(deps: ChatDeps) {
  return async (state: ChatState, config: LangGraphRunnableConfig): Promise<ChatUpdate> => {
    const { sink } = turnContext(config);
    const answer = state.answer ?? {
      text: 'No answer was produced.',
      evidence: [],
      partial: true,
      mode: deps.llm ? 'llm' : 'deterministic',
    };
    if (!state.answerStreamed) for (const text of chunkText(answer.text)) sink({ event: 'token', data: { text } });
    sink({ event: 'answer', data: answer });
    return {
      answer,
      transcript: [
        {
          role: 'assistant',
          content: answer.text,
          at: new Date(deps.now()).toISOString(),
          ...(state.activity.length > 0 ? { tool_calls: state.activity } : {}),
        },
      ],
    };
  };
}
