/**
 * The chat turn's events, as the API streams them (SSE) or lists them (JSON): the one definition
 * the graph emits, the route encodes and the console reads. Order within a turn: `thread` first;
 * then `token`, `tool_call`/`tool_result` and `approval_request` as they happen; `answer`; `error`
 * only when the turn failed (no `answer` then); `done` always last.
 */
import { z } from 'zod';
import type { Remediation } from './remediation-port.js';

export const TOOL_RESULT_STATUSES = ['ok', 'error', 'denied', 'approval_required'] as const;
export type ToolResultStatus = (typeof TOOL_RESULT_STATUSES)[number];

export const EvidenceRefSchema = z.object({
  kind: z.string().describe('finding, series, query, alert or remediation'),
  ref: z.string().describe('The finding id, series (with labels), query, alert name or remediation id'),
  description: z.string(),
});
export type EvidenceRef = z.infer<typeof EvidenceRefSchema>;

export const AnswerSchema = z.object({
  text: z.string(),
  evidence: z.array(EvidenceRefSchema),
  partial: z.boolean().describe('True when the turn stopped at the step limit before finishing'),
  mode: z.enum(['llm', 'deterministic']),
});
export type Answer = z.infer<typeof AnswerSchema>;

export type ChatEvent =
  | { event: 'thread'; data: { thread_id: string } }
  | { event: 'token'; data: { text: string } }
  | { event: 'tool_call'; data: { id: string; name: string; args: unknown } }
  | { event: 'tool_result'; data: { id: string; name: string; status: ToolResultStatus; summary: string } }
  | { event: 'approval_request'; data: { remediation: Remediation } }
  | { event: 'answer'; data: Answer }
  | { event: 'error'; data: { message: string; reason: string } }
  | { event: 'done'; data: Record<string, never> };

export type ChatEventName = ChatEvent['event'];

/** Where a turn's events go while it runs (the service's queue). */
export type EventSink = (event: ChatEvent) => void;
