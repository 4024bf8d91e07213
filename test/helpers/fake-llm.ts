/** A ChatLlm over LangChain's scripted fake model (the real fallback chain, audit and timeouts around it). */
import type { FakeBuiltModel } from '@langchain/core/testing';
import type { AuditEventInput, AuditLog } from '../../src/audit/event.js';
import { createChatLlmFrom } from '../../src/llm/chat-llm.js';
import type { ChatLlm } from '../../src/llm/types.js';

export function collectingAudit(): AuditLog & { events: AuditEventInput[] } {
  const events: AuditEventInput[] = [];
  return { events, record: async (e) => void events.push(e) };
}

export function fakeChatLlm(model: FakeBuiltModel, audit: AuditLog = collectingAudit()): ChatLlm {
  return createChatLlmFrom(
    [
      {
        kind: 'ollama',
        model: 'fake-model',
        invoke: (messages, call) => (call.tools && call.tools.length > 0 ? model.bindTools([...call.tools]) : model).invoke(messages),
      },
    ],
    { timeoutMs: 5000, audit },
  );
}
