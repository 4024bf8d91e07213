/**
 * limit: the turn reached CHAT_MAX_STEPS model calls and the model still wants tools. The pending
 * calls are not executed (each gets a "not executed" result, so the history stays valid) and the
 * turn ends with a partial answer that says what was done and what was not.
 */
import { AIMessage, ToolMessage } from '@langchain/core/messages';
import { dedupeEvidence } from '../evidence.js';
import { fenceUntrusted } from '../../../src/prompts/fence.js';
import type { ChatDeps } from '../deps.js';
import type { ChatState, ChatUpdate } from '../state.js';
import { lastToolCalls } from './tools.js';

function partialAnswerText(state: ChatState, maxSteps: number, notRun: string[]): string {
  const done = state.activity.map((a) => `- ${a.name}: ${a.status}${a.summary ? ` — ${a.summary}` : ''}`);
  return [
    `I stopped before finishing: this turn reached the limit of ${maxSteps} model steps.`,
    done.length > 0 ? `What I did:\n${done.join('\n')}` : 'I did not get to run any tool.',
    notRun.length > 0 ? `Not done: ${notRun.join(', ')} (not executed).` : '',
    'Ask me to continue, or ask a narrower question.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

export function limitNode(deps: ChatDeps) {
  return async (state: ChatState): Promise<ChatUpdate> => {
    const calls = lastToolCalls(state);
    const skipped = calls.map(
      (c) =>
        new ToolMessage({
          tool_call_id: c.id,
          name: c.name,
          content: fenceUntrusted(`tool_result.${c.name}`, {
            status: 'error',
            summary: 'not executed: the step limit of the turn was reached',
          }),
        }),
    );
    const text = partialAnswerText(
      state,
      deps.maxSteps,
      calls.map((c) => c.name),
    );
    return {
      messages: [...skipped, new AIMessage(text)],
      answer: { text, evidence: dedupeEvidence(state.evidence), partial: true, mode: 'llm' },
      answerStreamed: false,
    };
  };
}
