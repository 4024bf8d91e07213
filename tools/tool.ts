/**
 * The contract of the agent's tools. A tool never trusts its caller for *who* or *where*: the
 * workspace and identity come from the run's verified AuthContext (ToolContext.auth), never from
 * the model's arguments. Tools answer with a status instead of throwing, so a model can read the
 * outcome and correct itself.
 */
import type { z } from 'zod';
import type { ProposedAction, ResourceRef } from '../src/analysis/types.js';
import type { AuditLog } from '../src/audit/event.js';
import type { AuthContext } from '../src/auth/auth-context.js';
import type { Permission } from '../src/auth/permissions.js';
import type { LogsSource } from '../src/logs/logs-source.js';
import type { MetricsSource } from '../src/metrics/metrics-source.js';
import type { FindingsEngine } from '../src/analysis/workers/findings-engine.js';
import type { EvidenceRef } from '../src/chat/events.js';

export type ToolResult<T = unknown> =
  | { status: 'ok'; data: T }
  | { status: 'no_data'; message: string }
  | { status: 'error'; message: string; expected_schema?: unknown; details?: Record<string, unknown> }
  | { status: 'approval_required'; message: string; proposal: unknown };

/** Per-run context, built by the graph from the verified request; never from model output. */
export interface ToolContext {
  auth: AuthContext;
  runId?: string;
  requestId?: string;
  traceId?: string;
  /** Where the call came from, recorded in its audit event (`mcp`: an MCP client called the tool directly). */
  channel?: 'analysis' | 'chat' | 'mcp';
  /** Set only when a human with aiops:remediate approved this run's proposal (mutating tools need it). */
  approval?: { approvedBy: string; approvalId: string };
  /** Aborts the call's work (metrics fetches, analyses): the run's or turn's time budget ran out, or its client left. */
  signal?: AbortSignal;
}

/** An alert as the monitor stored it (src/monitoring), as list_alerts reads it. */
export interface StoredAlertView {
  name: string;
  state: 'pending' | 'firing';
  source: 'aiops' | 'prometheus' | 'alertmanager';
  severity: string;
  summary: string;
  startedAtMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** What tools may use: injected by the composition root, never imported. */
export interface ToolDeps {
  metrics: MetricsSource;
  audit: AuditLog;
  /** Unix ms; injectable for tests. */
  now: () => number;
  /** The Hexabase control plane (HEXABASE_API_URL), when configured. */
  controlPlane?: { workspaceOverview(workspaceId: string): Promise<Record<string, unknown>> };
  /**
   * The alerts the monitor keeps (its own, Prometheus's and Alertmanager's, with their lifecycle), when
   * the service monitors: list_alerts then answers what the console and GET /alerts show. Absent:
   * Prometheus's active alerts only.
   */
  storedAlerts?: (workspaceId: string, states: readonly ('pending' | 'firing')[]) => Promise<StoredAlertView[]>;
  /** Where the findings analysers run (the worker pool in the service); absent: inline (tests). */
  findings?: FindingsEngine;
  /** Kubernetes events and application logs (src/logs); absent: the log tools answer no_data with the gap. */
  logs?: LogsSource;
}

/** What an answer is about, for a follow-up that refers back to it ("restart it"): most relevant first. */
export interface ResultSubject {
  /** Actions proposed for what the answer found. */
  actions: ProposedAction[];
  /** Resources the answer is about, most severe first. */
  resources: ResourceRef[];
  findingIds: string[];
}

export interface ToolDefinition<I = unknown, O = unknown> {
  name: string;
  /** What the tool does, for the model (and the docs). */
  description: string;
  /** The permission the caller's token must grant. */
  scope: Permission;
  /** Whether it changes anything outside the service (then it also needs ctx.approval). */
  mutates: boolean;
  /** Read-only results are cached unless this is false (e.g. answers too large to be worth storing). */
  cacheable?: boolean;
  input: z.ZodType<I>;
  /** The shape of `data` in an `ok` answer; the toolbox checks every handler's answer against it. */
  output: z.ZodType<O>;
  handler(input: I, ctx: ToolContext, deps: ToolDeps): Promise<ToolResult<NoInfer<O>>>;
  /**
   * The tool reads its own answers, so no caller has to know their shape: one line saying what an
   * `ok` answer holds (chat's tool_result summary, the trace span's output) …
   */
  summarize(data: O): string;
  /** … what it lets an answer cite (findings, series points, queries, alerts), most important first … */
  evidence?(data: O): EvidenceRef[];
  /** … and what it is about, when it names resources or proposes actions. */
  subject?(data: O): ResultSubject | undefined;
}

export type { ToolBox, ToolCallOutcome } from './toolbox.js';
