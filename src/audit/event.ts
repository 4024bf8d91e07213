/**
 * The one audit event model. Every layer (the route guard, tools, the LLM client, remediation)
 * records through `AuditLog.record(input)`; the input is validated here, secrets are redacted, an
 * event id and a millisecond timestamp are assigned, and the event is durable in the local spool
 * when the promise resolves. The same shape is stored in ClickHouse (`audit_events`) and LLM calls
 * also feed the `aiops_logs` usage table of the source's schema.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { PermissionSchema } from '../auth/permissions.js';
import { redact, redactString } from './redact.js';

export const AUDIT_EVENT_TYPES = [
  'authorization',
  'tool_call',
  'llm_call',
  'remediation',
  'insight',
  'incident',
  'alert_intake',
  'notification',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];
export const AuditEventTypeSchema = z.enum(AUDIT_EVENT_TYPES);

/** Who started the action: the user directly, the AI acting as the user, or the service itself. */
export const INITIATORS = ['user', 'AIOpsAgent', 'system'] as const;
export type Initiator = (typeof INITIATORS)[number];

const short = z.string().max(256);
const count = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const millis = z.number().min(0).max(86_400_000);

export const AuthorizationDetailsSchema = z.object({
  allowed: z.boolean(),
  /** `allowed`, `cross_workspace_read`, `workspace_mismatch`, `missing_scope`, or a 401 reason (`expired`, …). */
  reason: short,
  scope: PermissionSchema,
  route: short,
  method: z.string().max(16),
  status_code: z.number().int().optional(),
  /** The workspace named in the path when it differs from the attributed one (never trusted). */
  path_workspace_id: short.optional(),
  token_type: z.string().max(32).optional(),
  cross_workspace_from: short.optional(),
  /** 401s only: how many failures this row stands for (see unauthenticated-aggregator.ts); absent means 1. */
  count: count.min(1).optional(),
  /** 401s only, on aggregated rows: the first and last counted failure (ms since the epoch). */
  first_at: z.number().int().min(0).optional(),
  last_at: z.number().int().min(0).optional(),
  /** 401s only: counted in the per-reason overflow key (too many sources at once), so `source_ip` is empty. */
  overflow: z.literal(true).optional(),
});

export const ToolCallDetailsSchema = z.object({
  tool: short,
  /** Who called it: the analysis graph, a chat turn, or an MCP client directly. */
  channel: z.enum(['analysis', 'chat', 'mcp']).optional(),
  required_scope: PermissionSchema,
  /** Redacted before it is written anywhere. */
  arguments: z.record(z.string(), z.unknown()).default({}),
  status: z.enum(['ok', 'error', 'denied', 'timeout']),
  duration_ms: millis,
  error: z.string().max(2000).optional(),
});

/** Mirrors the source's `aiops_logs` table (agent, user, workspace, session, model, tokens, latency, cost, operation, status). */
export const LlmCallDetailsSchema = z.object({
  agent: short,
  session_id: short.default(''),
  model: short,
  provider: short,
  prompt_name: short,
  prompt_hash: short,
  input_tokens: count,
  output_tokens: count,
  latency_ms: millis,
  cost_usd: z.number().min(0).default(0),
  fallback_used: z.boolean().default(false),
  operation: short,
  status: z.enum(['ok', 'error', 'timeout']),
});

/** A remediation's life (proposed → approved → running → completed | failed; or rejected, expired, cancelled), plus `executed`/`failed` per action, and `joined` when another proposal for its target joined it while pending. */
export const REMEDIATION_STATES = [
  'proposed',
  'approved',
  'rejected',
  'running',
  'executed',
  'completed',
  'failed',
  'expired',
  'cancelled',
  'joined',
] as const;
export const RemediationDetailsSchema = z.object({
  remediation_id: short,
  state: z.enum(REMEDIATION_STATES),
  action: short,
  /** Who approved or rejected it (a user id), when a human did. */
  by: short.optional(),
  dry_run: z.boolean().optional(),
  result: z.string().max(4000).optional(),
});

/** A diagnosis hypothesis of an analysis run, kept as a workspace insight (GET /insights reads them back). */
export const InsightDetailsSchema = z.object({
  run_id: short,
  analysis_type: z.string().max(32),
  cause: z.string().max(1000),
  confidence: z.number().min(0).max(1),
  severity: z.enum(['info', 'warning', 'critical']),
  summary: z.string().max(2000),
  diagnosed_by: z.enum(['llm', 'deterministic']),
  finding_ids: z.array(z.string().max(300)).max(50).default([]),
  evidence: z
    .array(z.object({ series: z.string().max(500), time: z.string().max(40), value: z.number(), why: z.string().max(500) }))
    .max(12)
    .default([]),
  recommended_actions: z.array(z.string().max(500)).max(20).default([]),
});

/** What the monitor did about an incident: opened or resolved it, started its automatic investigation. */
export const IncidentDetailsSchema = z.object({
  incident_id: short,
  action: z.enum(['opened', 'resolved', 'investigation_started']),
  severity: z.enum(['info', 'warning', 'critical']),
  title: z.string().max(300),
  resource_key: z.string().max(600),
  alerts: count.optional(),
  run_id: short.optional(),
});

/** One payload of alerts pushed to the service (Alertmanager's webhook), for one workspace. */
export const AlertIntakeDetailsSchema = z.object({
  source: z.enum(['alertmanager']),
  receiver: short,
  alerts: count,
  accepted: count,
  updated: count,
  dropped: count,
});

/** One delivery attempt of a notification to one of the workspace's channels. */
export const NotificationDetailsSchema = z.object({
  event_id: short,
  event_type: short,
  channel_id: short,
  channel_type: z.enum(['webhook', 'slack']),
  attempt: count,
  outcome: z.enum(['delivered', 'retry', 'dead_letter', 'refused']),
  status_code: z.number().int().optional(),
  error: z.string().max(500).optional(),
});

const common = {
  /** Assigned by `record` when absent; a caller may supply one to make its own retries idempotent. */
  event_id: z.uuid().optional(),
  /** Milliseconds since the epoch; assigned by `record` when absent. */
  timestamp: z.number().int().min(0).max(253_402_300_799_999).optional(),
  user_id: short.default(''),
  organization_id: short.default(''),
  /** The verified workspace; empty only for events with no verified identity (401s), which only operators see. */
  workspace_id: short.default(''),
  source_ip: z.string().max(64).default(''),
  resource_id: z.string().max(1024).default(''),
  initiated_by: z.enum(INITIATORS).optional(),
  request_id: z.string().max(128).default(''),
  trace_id: z.string().max(64).default(''),
};

export const AuditEventInputSchema = z.discriminatedUnion('event_type', [
  z.object({ ...common, event_type: z.literal('authorization'), details: AuthorizationDetailsSchema }),
  z.object({ ...common, event_type: z.literal('tool_call'), details: ToolCallDetailsSchema }),
  z.object({ ...common, event_type: z.literal('llm_call'), details: LlmCallDetailsSchema }),
  z.object({ ...common, event_type: z.literal('remediation'), details: RemediationDetailsSchema }),
  z.object({ ...common, event_type: z.literal('insight'), details: InsightDetailsSchema }),
  z.object({ ...common, event_type: z.literal('incident'), details: IncidentDetailsSchema }),
  z.object({ ...common, event_type: z.literal('alert_intake'), details: AlertIntakeDetailsSchema }),
  z.object({ ...common, event_type: z.literal('notification'), details: NotificationDetailsSchema }),
]);
export type AuditEventInput = z.input<typeof AuditEventInputSchema>;

/** A stored event: every field present, details redacted. */
export interface AuditEvent {
  event_id: string;
  timestamp: number;
  user_id: string;
  organization_id: string;
  workspace_id: string;
  source_ip: string;
  event_type: AuditEventType;
  /** A one-word summary for filtering: allowed/denied, ok/error, the remediation state. */
  outcome: string;
  resource_id: string;
  details: Record<string, unknown>;
  initiated_by: Initiator;
  request_id: string;
  trace_id: string;
}

/** The interface every layer uses. Resolves once the event is durable (fsync'd) in the spool. */
export interface AuditLog {
  record(event: AuditEventInput): Promise<void>;
}

/** Thrown by `record` when the event cannot be made durable (spool full or disk error). */
export class AuditUnavailableError extends Error {
  constructor(
    readonly reason: 'spool_full' | 'high_water' | 'closed' | 'io_error',
    message: string,
  ) {
    super(message);
    this.name = 'AuditUnavailableError';
  }
}

const DEFAULT_INITIATOR: Record<AuditEventType, Initiator> = {
  authorization: 'user',
  tool_call: 'AIOpsAgent',
  llm_call: 'AIOpsAgent',
  remediation: 'AIOpsAgent',
  insight: 'AIOpsAgent',
  incident: 'system',
  alert_intake: 'system',
  notification: 'system',
};

/** Validates, redacts and completes an input into a stored event (throws a ZodError on bad input). */
export function normalizeEvent(input: AuditEventInput, now: () => number = Date.now): AuditEvent {
  const e = AuditEventInputSchema.parse(input);
  const details = redact(e.details) as Record<string, unknown>;
  return {
    event_id: e.event_id ?? randomUUID(),
    timestamp: e.timestamp ?? now(),
    user_id: e.user_id,
    organization_id: e.organization_id,
    workspace_id: e.workspace_id,
    source_ip: e.source_ip,
    event_type: e.event_type,
    outcome: outcomeOf(e),
    resource_id: redactString(e.resource_id),
    details,
    initiated_by: e.initiated_by ?? DEFAULT_INITIATOR[e.event_type],
    request_id: e.request_id,
    trace_id: e.trace_id,
  };
}

function outcomeOf(e: z.output<typeof AuditEventInputSchema>): string {
  switch (e.event_type) {
    case 'authorization':
      return e.details.allowed ? 'allowed' : 'denied';
    case 'tool_call':
      return e.details.status;
    case 'llm_call':
      return e.details.status;
    case 'remediation':
      return e.details.state;
    case 'insight':
      return e.details.severity;
    case 'incident':
      return e.details.action;
    case 'alert_intake':
      return e.details.accepted > 0 ? 'accepted' : 'unchanged';
    case 'notification':
      return e.details.outcome;
  }
}

/** Checks a stored event read back from the spool (shape only; it was validated when recorded). */
export const StoredEventSchema = z.object({
  event_id: z.string().min(1).max(64),
  timestamp: z.number().int().min(0),
  user_id: z.string(),
  organization_id: z.string(),
  workspace_id: z.string(),
  source_ip: z.string(),
  event_type: AuditEventTypeSchema,
  outcome: z.string(),
  resource_id: z.string(),
  details: z.record(z.string(), z.unknown()),
  initiated_by: z.enum(INITIATORS),
  request_id: z.string(),
  trace_id: z.string(),
});
