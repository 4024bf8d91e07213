/**
 * intake: starts a turn. Checks the thread belongs to the caller (defence in depth: the service
 * checked the index already), repairs a history left inconsistent by an interrupted turn (a tool call
 * without its result), folds the oldest turns into the summary when the history passes half the
 * budget, and appends the user's message — fenced as untrusted data — to the model's context.
 */
import { randomUUID } from 'node:crypto';
import { AIMessage, HumanMessage, RemoveMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { REMOVE_ALL_MESSAGES, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { foldOldTurns } from '../context.js';
import { fenceUntrusted } from '../../../src/prompts/fence.js';
import { turnContext, type ChatDeps } from '../deps.js';
import type { ChatState, ChatUpdate } from '../state.js';

/** Tool results for tool calls that never got one (a turn cut short), so the history stays valid for any provider. */
export function repairDanglingToolCalls(messages: readonly BaseMessage[]): BaseMessage[] {
  const answered = new Set(messages.filter((m): m is ToolMessage => ToolMessage.isInstance(m)).map((m) => m.tool_call_id));
  const out: BaseMessage[] = [];
  for (const m of messages) {
    out.push(m);
    if (!AIMessage.isInstance(m)) continue;
    for (const call of m.tool_calls ?? []) {
      if (call.id && !answered.has(call.id)) {
        out.push(
          new ToolMessage({
            id: randomUUID(),
            tool_call_id: call.id,
            content: fenceUntrusted(`tool_result.${call.name}`, { status: 'error', summary: 'not executed: the turn was interrupted' }),
          }),
        );
        answered.add(call.id);
      }
    }
  }
  return out;
}

export function intakeNode(deps: ChatDeps) {
  return async (state: ChatState, config: LangGraphRunnableConfig): Promise<ChatUpdate> => {
    const { auth } = turnContext(config);
    if (state.workspaceId !== auth.workspaceId || state.owner !== auth.sub) throw new Error('the thread does not belong to the caller');
    if (!state.incoming) throw new Error('chat turn without a message');
    const { text, at } = state.incoming;
    const human = new HumanMessage({ id: randomUUID(), content: fenceUntrusted('user_message', text) });
    const repaired = repairDanglingToolCalls(state.messages);
    const fold = foldOldTurns(repaired, state.summary, Math.floor(deps.contextTokens / 2), Math.floor(deps.contextTokens * 0.15));
    const changed = fold !== undefined || repaired.length !== state.messages.length;
    const removed = new Set(fold?.removeIds ?? []);
    const messages = changed
      ? [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...repaired.filter((m) => !removed.has(m.id!)), human]
      : [human];
    return {
      incoming: null,
      messages,
      ...(fold ? { summary: fold.summary } : {}),
      transcript: [{ role: 'user', content: text, at }],
      turnText: text,
      steps: 0,
      activity: [],
      evidence: [],
      answerStreamed: false,
      answer: null,
      llmError: null,
    };
  };
}
