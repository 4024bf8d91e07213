/**
 * tools: runs the tool calls of the model's last message, one after the other (so events keep a
 * readable order), through the scoped toolbox; each result goes back to the model fenced and
 * clipped, and updates the turn's evidence, the conversation's focus and its pending remediations.
 */
import { AIMessage, ToolMessage } from '@langchain/core/messages';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { ChatDeps } from '../deps.js';
import { runToolCall, type ToolCallRequest, type ToolOutcome } from '../tool-calls.js';
import type { ChatState, ChatUpdate } from '../state.js';

/** A tool result the model reads is at most this share of the context budget. */
export const toolTokensFor = (deps: ChatDeps) => Math.max(300, Math.floor(deps.contextTokens / 4));

/** The tool calls of the model's last message, each with an id (a provider may leave it out). */
export function lastToolCalls(state: ChatState): ToolCallRequest[] {
  const last = state.messages[state.messages.length - 1];
  const calls = last && AIMessage.isInstance(last) ? (last.tool_calls ?? []) : [];
  return calls.map((c, i) => ({ id: c.id ?? `call_${state.steps}_${i}`, name: c.name, args: c.args ?? {} }));
}

/** The state update of a batch of tool outcomes (shared with the deterministic mode). */
export function outcomesUpdate(
  state: ChatState,
  outcomes: readonly ToolOutcome[],
): Pick<ChatState, 'activity' | 'evidence'> & Partial<Pick<ChatState, 'focus' | 'pending'>> {
  const focus = [...outcomes].reverse().find((o) => o.focus)?.focus;
  const pending = outcomes.flatMap((o) => (o.pending ? [o.pending] : []));
  return {
    activity: [...state.activity, ...outcomes.map((o) => o.activity)],
    evidence: [...state.evidence, ...outcomes.flatMap((o) => o.evidence)],
    ...(focus ? { focus } : {}),
    ...(pending.length > 0 ? { pending: [...state.pending, ...pending].slice(-20) } : {}),
  };
}

export function toolsNode(deps: ChatDeps) {
  return async (state: ChatState, config: LangGraphRunnableConfig): Promise<ChatUpdate> => {
    const outcomes: ToolOutcome[] = [];
    const messages: ToolMessage[] = [];
    for (const call of lastToolCalls(state)) {
      const outcome = await runToolCall(call, deps, config, toolTokensFor(deps));
      outcomes.push(outcome);
      messages.push(new ToolMessage({ tool_call_id: call.id, name: call.name, content: outcome.content }));
    }
    return { messages, ...outcomesUpdate(state, outcomes) };
  };
}
