/**
 * A provider wrapped so that no tenant name reaches it: each call learns the identifying strings of
 * its messages (src/llm/anonymize.ts), sends masked copies, and gives back the answer with the real
 * strings restored in its text and in its tool calls' arguments (the tools act on real names).
 * System prompts are masked too: they carry the workspace id and, for the diagnosis, the findings.
 * A tenant name that is also a common word (a namespace called `data`) is then replaced in the
 * instructions as well, which the model reads as a name; privacy wins that trade. Used for the
 * providers the LLM_ANONYMIZE policy marks (by default those outside the cluster).
 */
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage, type MessageContent } from '@langchain/core/messages';
import type { AuthContext } from '../auth/auth-context.js';
import { Anonymizer } from './anonymize.js';
import type { ChatProvider } from './providers.js';

export type KnownNames = (auth: AuthContext) => Promise<readonly { kind: string; value: string }[]>;

/** `inner` for one call of `auth` (built per call: the caller decides what is identifying). */
export function anonymizedProvider(inner: ChatProvider, auth: AuthContext, knownNames?: KnownNames): ChatProvider {
  return {
    kind: inner.kind,
    model: inner.model,
    async invoke(messages, call) {
      const who = auth;
      // The vocabulary is a help, never a condition: without it the messages' own names are still hidden.
      const known = knownNames ? await knownNames(who).catch(() => []) : [];
      const anon = new Anonymizer({ identity: who, knownNames: known });
      for (const m of messages) anon.learn(textOf(m));
      const answer = await inner.invoke(
        messages.map((m) => maskMessage(m, anon)),
        call,
      );
      return new AIMessage({
        id: answer.id,
        content: mapContent(answer.content, (t) => anon.unmask(t)),
        tool_calls: (answer.tool_calls ?? []).map((tc) => ({ ...tc, args: anon.unmaskDeep(tc.args) })),
        invalid_tool_calls: answer.invalid_tool_calls ?? [],
        additional_kwargs: answer.additional_kwargs,
        response_metadata: answer.response_metadata,
        usage_metadata: answer.usage_metadata,
      });
    },
  };
}

/** Everything of a message a name could hide in: its text and its tool calls' arguments. */
function textOf(m: BaseMessage): string {
  const text = typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
  const calls = AIMessage.isInstance(m) && m.tool_calls?.length ? `\n${JSON.stringify(m.tool_calls.map((tc) => tc.args))}` : '';
  return text + calls;
}

function maskMessage(m: BaseMessage, anon: Anonymizer): BaseMessage {
  const content = mapContent(m.content, (t) => anon.mask(t));
  switch (m.getType()) {
    case 'system':
      return new SystemMessage({ content });
    case 'ai': {
      const ai = m as AIMessage;
      return new AIMessage({
        content,
        tool_calls: (ai.tool_calls ?? []).map((tc) => ({ ...tc, args: anon.maskDeep(tc.args) })),
        ...(ai.id ? { id: ai.id } : {}),
      });
    }
    case 'tool': {
      const tool = m as ToolMessage;
      return new ToolMessage({ content, tool_call_id: tool.tool_call_id, ...(tool.name ? { name: tool.name } : {}) });
    }
    default:
      return new HumanMessage({ content });
  }
}

function mapContent(content: MessageContent, f: (text: string) => string): MessageContent {
  if (typeof content === 'string') return f(content);
  return content.map((part) =>
    typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? { ...part, text: f(part.text) } : part,
  ) as MessageContent;
}
