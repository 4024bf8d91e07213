/**
 * One mechanism for every tool: `defineTool` keeps the definition's types, and the result helpers
 * give the statuses a model reads (tools answer, they do not throw).
 */
import { MetricsError } from '../src/metrics/metrics-error.js';
import type { ToolDefinition, ToolResult } from './tool.js';

export function defineTool<I, O>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

export function ok<T>(data: T): ToolResult<T> {
  return { status: 'ok', data };
}

export function noData(message: string): ToolResult<never> {
  return { status: 'no_data', message };
}

export function fail(message: string, details?: Record<string, unknown>): ToolResult<never> {
  return details ? { status: 'error', message, details } : { status: 'error', message };
}

/** A data-layer error as a result the model can act on (kind and message; never a stack). */
export function failFromError(err: unknown, context: Record<string, unknown> = {}): ToolResult<never> {
  if (err instanceof MetricsError) return fail(err.message, { kind: err.kind, ...err.details, ...context });
  return fail('the tool failed unexpectedly; try again or use another tool', context);
}
