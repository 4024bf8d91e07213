/**
 * `createChatLlm`: Ollama first, OpenAI as fallback on error or timeout (either alone when only one
 * is configured), undefined when neither is (callers then take their deterministic path). Every
 * provider attempt is timed out, audited once (`llm_call`) and traced; a failed audit write fails the
 * call (no LLM use without an audit row).
 */
import type { BaseMessage } from '@langchain/core/messages';
import type { Callbacks } from '@langchain/core/callbacks/manager';
import { RunnableLambda, type RunnableConfig } from '@langchain/core/runnables';
import { AsyncLocalStorageProviderSingleton } from '@langchain/core/singletons';
import type { AuditLog } from '../audit/event.js';
import { isExternalEndpoint } from './anonymize.js';
import { anonymizedProvider, type KnownNames } from './anonymized-provider.js';
import { recordLlmCall } from './call-audit.js';
import { describeError, LlmTimeoutError, LlmUnavailableError } from './errors.js';
import { callCostUsd } from './pricing.js';
import { ollamaProvider, openaiProvider, type ChatProvider, type OllamaOptions, type OpenAIOptions } from './providers.js';
import type { LlmTracing } from './tracing.js';
import type { ChatLlm, LlmCallOptions, LlmResult } from './types.js';
import { usageOf, type LlmUsage } from './usage.js';

export interface ChatLlmOptions {
  ollama?: OllamaOptions;
  openai?: OpenAIOptions;
  /** Per-attempt timeout (a call's own `timeoutMs` overrides it). */
  timeoutMs: number;
  audit: AuditLog;
  tracing?: LlmTracing;
  /** The `agent` recorded in audit events. */
  agentName?: string;
  /** Injectable clock (ms) for tests. */
  now?: () => number;
  /** Told of every provider attempt once it ended (the service's metrics); must not throw. */
  onAttempt?: (attempt: LlmAttempt) => void;
  /**
   * LLM_ANONYMIZE: `external` (default) hides the tenant's names from providers outside the cluster
   * (src/llm/anonymize.ts decides by the provider's URL), `always` from every provider, `never` from none.
   */
  anonymize?: AnonymizePolicy;
  /** The workspace's known names, so a name the user typed is hidden too (optional; failures are ignored). */
  knownNames?: KnownNames;
}

export type AnonymizePolicy = 'external' | 'always' | 'never';

/** One provider attempt as the metrics see it: no prompt, no workspace. */
export interface LlmAttempt {
  provider: 'ollama' | 'openai';
  model: string;
  status: 'ok' | 'error' | 'timeout';
  fallbackUsed: boolean;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
}

/** LlmResult with the usage marked estimated or not. */
export interface ChatLlmResult extends LlmResult {
  usage: LlmUsage;
}

export function createChatLlm(options: ChatLlmOptions): ChatLlm | undefined {
  const chain: ChatProvider[] = [];
  const external: boolean[] = [];
  if (options.ollama) {
    chain.push(ollamaProvider(options.ollama));
    external.push(isExternalEndpoint(options.ollama.baseUrl));
  }
  if (options.openai) {
    chain.push(openaiProvider(options.openai));
    external.push(isExternalEndpoint(options.openai.baseUrl));
  }
  if (chain.length === 0) return undefined;
  const policy = options.anonymize ?? 'external';
  return createChatLlmFrom(chain, { ...options, anonymized: external.map((e) => policy === 'always' || (policy === 'external' && e)) });
}

/** The fallback chain over given providers (exported for tests and other providers). */
export function createChatLlmFrom(
  chain: readonly ChatProvider[],
  options: Omit<ChatLlmOptions, 'ollama' | 'openai'> & {
    /** Per provider of the chain: whether its calls are anonymised (`anonymize`/`isExternalEndpoint` decide it in createChatLlm). */
    anonymized?: readonly boolean[];
  },
): ChatLlm {
  const now = options.now ?? Date.now;
  const agent = options.agentName ?? 'hexabase-aiops-agent';

  async function attempts(
    messages: BaseMessage[],
    call: LlmCallOptions,
    outer: AbortSignal | undefined,
    callbacks?: Callbacks,
  ): Promise<ChatLlmResult> {
    const timeoutMs = call.timeoutMs ?? options.timeoutMs;
    const failures: ConstructorParameters<typeof LlmUnavailableError>[0][number][] = [];
    for (const [i, configured] of chain.entries()) {
      const provider = options.anonymized?.[i] ? anonymizedProvider(configured, call.auth, options.knownNames) : configured;
      const fallbackUsed = i > 0;
      const started = now();
      const attempt = { provider: provider.kind, model: provider.model, fallbackUsed, costUsd: 0, inputTokens: 0, outputTokens: 0 };
      try {
        const message = await withTimeout(`${provider.kind}:${provider.model}`, timeoutMs, outer, (signal) =>
          provider.invoke(messages, {
            tools: call.tools,
            signal,
            timeoutMs,
            config: {
              runName: `${provider.kind}:${provider.model}`,
              callbacks,
              metadata: { ...currentMetadata(), ...promptMetadata(call), fallback_used: fallbackUsed },
            },
          }),
        );
        const latencyMs = now() - started;
        const usage = usageOf(message, messages);
        const costUsd = callCostUsd(provider.kind, provider.model, usage.inputTokens, usage.outputTokens);
        const ended = {
          ...attempt,
          status: 'ok' as const,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          latencyMs,
          costUsd,
        };
        options.onAttempt?.(ended);
        await recordLlmCall(options.audit, agent, call, ended).catch((auditErr: unknown) => {
          throw new AuditFailure(auditErr);
        });
        return { message, provider: provider.kind, model: provider.model, fallbackUsed, usage, latencyMs };
      } catch (err) {
        if (err instanceof AuditFailure) throw err.cause;
        const status: LlmAttempt['status'] = err instanceof LlmTimeoutError ? 'timeout' : 'error';
        const ended = { ...attempt, status, latencyMs: now() - started };
        options.onAttempt?.(ended);
        await recordLlmCall(options.audit, agent, call, ended);
        failures.push({ provider: `${provider.kind}:${provider.model}`, status, message: describeError(err) });
        if (outer?.aborted) throw err; // the caller gave up: no fallback
      }
    }
    throw new LlmUnavailableError(failures);
  }

  return {
    providers: chain.map((p) => `${p.kind}:${p.model}`),
    invoke(messages: BaseMessage[], call: LlmCallOptions): Promise<ChatLlmResult> {
      const parent = AsyncLocalStorageProviderSingleton.getRunnableConfig() as { signal?: AbortSignal } | undefined;
      if (!parent && !options.tracing) return attempts(messages, call, undefined);
      // One traced run per call, holding every provider attempt as a child generation. Inside a
      // graph run it nests under the node (callbacks inherited); standalone it is a trace root,
      // which is where Langfuse attaches the session (thread) and user (sub).
      // The child callbacks are passed on explicitly: LangChain's implicit (AsyncLocalStorage) config
      // is only set up once something like LangGraph initialises it.
      const run = RunnableLambda.from((input: { messages: BaseMessage[] }, config?: RunnableConfig) =>
        attempts(input.messages, call, parent?.signal, config?.callbacks),
      );
      return run.invoke(
        { messages },
        {
          runName: `llm:${call.operation}:${call.prompt.name}`,
          tags: [`prompt:${call.prompt.name}`, `operation:${call.operation}`],
          metadata: {
            ...promptMetadata(call),
            ...(call.sessionId ? { langfuseSessionId: call.sessionId } : {}),
            langfuseUserId: call.auth.sub,
          },
          callbacks: parent
            ? undefined
            : options.tracing?.callbacks({ sessionId: call.sessionId, userId: call.auth.sub, metadata: promptMetadata(call) }),
        },
      );
    },
  };
}

/** Marks an audit failure on the success path so it is not mistaken for a provider error. */
class AuditFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('audit write failed');
  }
}

function promptMetadata(call: LlmCallOptions): Record<string, string> {
  return { prompt_name: call.prompt.name, prompt_hash: call.prompt.hash, operation: call.operation };
}

/** The enclosing run's metadata (explicit metadata would otherwise replace it, losing e.g. the graph's thread id). */
function currentMetadata(): Record<string, unknown> {
  return (AsyncLocalStorageProviderSingleton.getRunnableConfig() as { metadata?: Record<string, unknown> } | undefined)?.metadata ?? {};
}

/** Runs `fn` with a signal aborted after `timeoutMs` (or when `outer` aborts); rejects with LlmTimeoutError on time-out. */
async function withTimeout<T>(
  provider: string,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timeoutError = new LlmTimeoutError(provider, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(timeoutError);
      reject(timeoutError);
    }, timeoutMs);
  });
  const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
  try {
    return await Promise.race([fn(signal), timedOut]);
  } catch (err) {
    throw controller.signal.aborted ? timeoutError : err;
  } finally {
    clearTimeout(timer);
    if (!controller.signal.aborted) controller.abort();
  }
}
