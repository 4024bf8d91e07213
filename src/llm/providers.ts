/**
 * The two chat providers behind one small interface. Models are built per call (cheap objects, no
 * I/O) so each call gets its own abort signal: ChatOllama's client does not forward LangChain's
 * signal to its HTTP request, so a fetch bound to the signal is injected. No streaming flag and no
 * retries inside the SDKs: the fallback chain is the retry, and `streaming: true` would make
 * ChatOpenAI count tokens with tiktoken (a network download).
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';

export type ProviderKind = 'ollama' | 'openai';

export interface ProviderCall {
  tools?: readonly StructuredToolInterface[];
  signal: AbortSignal;
  timeoutMs: number;
  /** LangChain run config (callbacks, metadata, tags, run name) for tracing. */
  config: Pick<RunnableConfig, 'callbacks' | 'metadata' | 'tags' | 'runName'>;
}

export interface ChatProvider {
  readonly kind: ProviderKind;
  readonly model: string;
  invoke(messages: BaseMessage[], call: ProviderCall): Promise<AIMessage>;
}

export interface OllamaOptions {
  baseUrl: string;
  model: string;
}
export interface OpenAIOptions {
  apiKey: string;
  baseUrl?: string;
  model: string;
}

export function ollamaProvider(options: OllamaOptions): ChatProvider {
  return {
    kind: 'ollama',
    model: options.model,
    invoke: (messages, call) =>
      run(
        new ChatOllama({
          baseUrl: options.baseUrl.replace(/\/+$/, ''),
          model: options.model,
          checkOrPullModel: false,
          fetch: fetchBoundTo(call.signal),
        }),
        messages,
        call,
      ),
  };
}

export function openaiProvider(options: OpenAIOptions): ChatProvider {
  return {
    kind: 'openai',
    model: options.model,
    invoke: (messages, call) =>
      run(
        new ChatOpenAI({
          model: options.model,
          apiKey: options.apiKey,
          configuration: options.baseUrl ? { baseURL: options.baseUrl } : {},
          streaming: false,
          maxRetries: 0,
          timeout: call.timeoutMs,
          useResponsesApi: false,
        }),
        messages,
        call,
      ),
  };
}

async function run(model: BaseChatModel, messages: BaseMessage[], call: ProviderCall): Promise<AIMessage> {
  const tools = call.tools && call.tools.length > 0 ? [...call.tools] : undefined;
  const runnable = tools ? bindTools(model, tools) : model;
  const out = await runnable.invoke(messages, { ...call.config, signal: call.signal });
  return toAIMessage(out);
}

function bindTools(model: BaseChatModel, tools: StructuredToolInterface[]) {
  if (typeof model.bindTools !== 'function') throw new Error(`${model.getName()} cannot call tools`);
  return model.bindTools(tools);
}

/** Normalises an AIMessageChunk (or any AI message) to an AIMessage. */
function toAIMessage(out: BaseMessage): AIMessage {
  if (AIMessage.isInstance(out)) return out;
  const m = out as AIMessage;
  return new AIMessage({
    id: m.id,
    content: m.content,
    additional_kwargs: m.additional_kwargs,
    response_metadata: m.response_metadata,
    tool_calls: m.tool_calls ?? [],
    invalid_tool_calls: m.invalid_tool_calls ?? [],
    usage_metadata: m.usage_metadata,
  });
}

/** A fetch whose requests are aborted with `signal` (in addition to the caller's own signal). */
function fetchBoundTo(signal: AbortSignal): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}
