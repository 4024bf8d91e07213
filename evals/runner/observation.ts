/**
 * What running a case produced, as the scorers see it: each request with its answer, the case's
 * audit trail, the requests that reached the control plane, and the data the case was built on.
 */
import type { AuditEvent } from '../../src/audit/event.js';
import type { Answer, ChatEvent } from '../../src/chat/events.js';
import type { EvalCase, EvalRequest } from './case-schema.js';
import type { ControlPlaneRequest } from './control-plane-stub.js';
import type { TokenClaims } from './tokens.js';

/** The analyze answer (routes/analyze.ts RunSchema), as much as the scorers read. */
export interface RunBody {
  run_id: string;
  status: string;
  workspace_id: string;
  plan: { queries: { name: string; args?: Record<string, string> }[] } | null;
  findings: {
    id: string;
    kind: string;
    severity: 'info' | 'warning' | 'critical';
    title: string;
    resource: Record<string, string | undefined>;
    evidence: { series: string; time: string; value: number; why: string }[];
  }[];
  diagnosis: {
    summary: string;
    hypotheses: {
      cause: string;
      confidence: number;
      evidence: { series: string; time: string; value: number; why: string }[];
      finding_ids: string[];
    }[];
    impact: string;
    recommended_actions: string[];
  } | null;
  diagnosed_by: string | null;
  proposed_actions: {
    action_type: string;
    target_resource: string;
    namespace?: string;
    parameters: Record<string, unknown>;
    reason: string;
  }[];
  approval: { decision: string; by: string } | null;
  remediation: { status: string; message: string } | null;
  progress: { node: string; message: string }[];
  errors: { node: string; message: string }[];
}

/** One chat turn's JSON answer (routes/chat.ts with Accept: application/json), in the chat layer's own types. */
export interface ChatTurn {
  thread_id: string;
  answer: Answer | null;
  events: ChatEvent[];
}

export interface StepObservation {
  index: number;
  kind: EvalRequest['kind'];
  method: string;
  path: string;
  /** X-Request-Id sent (audit events of this request carry it). */
  requestIds: string[];
  token: TokenClaims | null;
  status: number;
  expectedStatus: number[];
  latencyMs: number;
  /** The answer body as text (every turn's, one per line, for chat). */
  raw: string;
  body: unknown;
  run?: RunBody;
  chat?: ChatTurn[];
}

export interface Observation {
  case: EvalCase;
  steps: StepObservation[];
  audit: AuditEvent[];
  auditCorrupt: number;
  controlPlane: ControlPlaneRequest[];
  canaries: ReadonlyMap<string, string>;
  groundTruth: string;
  latencyMs: number;
}
