/**
 * Makes a request's trace id the active OpenTelemetry trace while a graph runs, so the spans started
 * inside it (Langfuse's, for nodes, tools and model calls) belong to that trace, and the audit rows of
 * the request, which carry the same id in `trace_id`, join them. Without a started OpenTelemetry SDK
 * (tracing off) there is no context manager and this only calls `fn`.
 */
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { randomBytes } from 'node:crypto';

const TRACE_ID = /^(?!0{32})[\da-f]{32}$/;

export function inTrace<T>(traceId: string | undefined, fn: () => T): T {
  if (!traceId || !TRACE_ID.test(traceId)) return fn();
  // The request is the (remote) parent: its own span is not exported, the graph's root span hangs under it.
  const parent = { traceId, spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED, isRemote: true };
  return context.with(trace.setSpanContext(context.active(), parent), fn);
}
