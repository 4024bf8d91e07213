/**
 * What chat needs from the remediation service (src/remediation/service.ts), declared here so chat
 * is tested without it: the composition root injects the real service, tests inject a fake, and
 * without one chat says plainly that remediation is not available. The service refuses with a RemediationError
 * (its `kind`, `denied` for missing scope or four-eyes, and a stable `reason`) for those and for not pending, locked, ….
 */
import type { AuthContext } from '../auth/auth-context.js';

/** The service's own types; RemediationActionInput is one action as its API takes it (the REST body's `actions[]`). */
export type { Remediation, RemediationActionInput, RemediationStatus } from '../remediation/types.js';
import type { Remediation, RemediationActionInput } from '../remediation/types.js';
import type { ProposedAction } from '../analysis/types.js';

export interface ChatProposal {
  actions: RemediationActionInput[];
  reason?: string;
  issue_id?: string;
  /** Where it was proposed: a chat thread, or an MCP client's call (its request id). */
  source: { kind: 'chat'; thread_id: string } | { kind: 'mcp'; request_id?: string };
}

/** The in-process remediation service as chat uses it (RemediationProposer of contracts.md). */
export interface RemediationProposer {
  propose(auth: AuthContext, request: ChatProposal): Promise<Remediation>;
  approve(auth: AuthContext, id: string, comment?: string): Promise<Remediation>;
  reject(auth: AuthContext, id: string, comment?: string): Promise<Remediation>;
}

/** A refusal of the remediation service, read without depending on its error class; `denied`: the caller may not do it. */
export function refusalOf(err: unknown): { denied: boolean; reason?: string; message: string } {
  const e = err as { kind?: unknown; reason?: unknown; message?: unknown } | null;
  const reason = typeof e?.reason === 'string' ? e.reason : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]!.slice(0, 500) : 'the remediation service failed';
  return { denied: e?.kind === 'denied', ...(reason ? { reason } : {}), message };
}

/** One action of propose_remediation's validated proposal, as the remediation service takes it. */
export function toRequestAction(a: ProposedAction): RemediationActionInput {
  return {
    action_type: a.action_type,
    target_resource: a.target_resource,
    ...(a.namespace ? { namespace: a.namespace } : {}),
    parameters: a.parameters ?? {},
    reason: a.reason.slice(0, 2000),
    risk: a.risk,
  };
}
