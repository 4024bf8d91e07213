/** The one `llm_call` audit event per provider attempt. Details hold counts and names only: never prompts, outputs or keys. */
import type { AuditEventInput, AuditLog } from '../audit/event.js';
import type { LlmCallOptions } from './types.js';

export interface AttemptRecord {
  provider: 'ollama' | 'openai';
  model: string;
  status: 'ok' | 'error' | 'timeout';
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  costUsd: number;
  fallbackUsed: boolean;
}

export function recordLlmCall(audit: AuditLog, agent: string, options: LlmCallOptions, a: AttemptRecord): Promise<void> {
  const event: AuditEventInput = {
    event_type: 'llm_call',
    initiated_by: 'AIOpsAgent',
    user_id: options.auth.sub,
    workspace_id: options.auth.workspaceId,
    organization_id: options.auth.orgIds[0] ?? '',
    resource_id: `${a.provider}:${a.model}`,
    request_id: options.requestId ?? '',
    trace_id: options.traceId ?? '',
    details: {
      agent,
      session_id: options.sessionId ?? '',
      model: a.model,
      provider: a.provider,
      prompt_name: options.prompt.name,
      prompt_hash: options.prompt.hash,
      input_tokens: a.inputTokens,
      output_tokens: a.outputTokens,
      latency_ms: Math.min(86_400_000, Math.max(0, Math.round(a.latencyMs))),
      cost_usd: a.costUsd,
      fallback_used: a.fallbackUsed,
      operation: options.operation,
      status: a.status,
    },
  };
  return audit.record(event);
}
