/**
 * Langfuse tracing over OpenTelemetry: a NodeSDK whose only span processor is Langfuse's (OTLP to
 * `<host>/api/public/otel/v1/traces`, Basic auth), and a LangChain callback handler per run that
 * turns graph nodes, tools and model calls into spans carrying the session (thread id), the user
 * (token sub) and metadata such as the prompt name and hash. Nothing starts at import time: the
 * composition root calls `createTracing` and `shutdown` (which flushes) on close.
 *
 * The OpenTelemetry SDK and Langfuse's packages are loaded only when tracing is configured (dynamic
 * imports): they are most of the files a start would otherwise read, for a feature most deployments
 * leave off.
 */
import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { awaitAllCallbacks } from '@langchain/core/callbacks/promises';

export interface TraceContext {
  /** The conversation / graph thread id. */
  sessionId?: string;
  /** The token subject. */
  userId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export interface LlmTracing {
  /** Callbacks for a LangChain/LangGraph run config (`{ callbacks: tracing.callbacks(ctx) }`). */
  callbacks(ctx: TraceContext): BaseCallbackHandler[];
  /** Flushes pending spans (waiting for background callbacks first) and stops the SDK. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  publicKey?: string;
  secretKey?: string;
  /** Langfuse base URL (LANGFUSE_HOST). */
  host?: string;
  environment?: string;
  release?: string;
  /** Spans per export batch. Avoid 1: a span export then in flight is not awaited by a flush (OTel BatchSpanProcessor); use exportMode 'immediate' instead. */
  flushAt?: number;
  /** Seconds between exports. */
  flushIntervalSeconds?: number;
  exportMode?: 'immediate' | 'batched';
}

/** Starts tracing when all three of public key, secret key and host are set; undefined otherwise. */
export async function createTracing(options: TracingOptions): Promise<LlmTracing | undefined> {
  const { publicKey, secretKey, host } = options;
  if (!publicKey || !secretKey || !host) return undefined;
  const [{ CallbackHandler }, { LangfuseSpanProcessor }, { NodeSDK }] = await Promise.all([
    import('@langfuse/langchain'),
    import('@langfuse/otel'),
    import('@opentelemetry/sdk-node'),
  ]);
  const processor = new LangfuseSpanProcessor({
    publicKey,
    secretKey,
    baseUrl: host.replace(/\/+$/, ''),
    environment: options.environment,
    release: options.release,
    flushAt: options.flushAt,
    flushInterval: options.flushIntervalSeconds,
    exportMode: options.exportMode,
  });
  // Only Langfuse's span processor: without explicit empty lists NodeSDK would also export metrics and
  // logs over OTLP to localhost:4318 (its env defaults).
  const sdk = new NodeSDK({ spanProcessors: [processor], instrumentations: [], metricReaders: [], logRecordProcessors: [] });
  sdk.start();
  let stopped: Promise<void> | undefined;
  return {
    callbacks: (ctx) => [
      new CallbackHandler({
        sessionId: ctx.sessionId,
        userId: ctx.userId,
        tags: ctx.tags,
        traceMetadata: ctx.metadata,
      }),
    ],
    shutdown: () => {
      // LangChain runs callback handlers in the background: let them end their spans before flushing.
      stopped ??= awaitAllCallbacks()
        .then(() => processor.forceFlush())
        .finally(() => sdk.shutdown());
      return stopped;
    },
  };
}
