/**
 * What chat needs from the remediation service (src/remediation/service.ts), declared here so chat
 * is tested without it: the composition root injects the real service, tests inject a fake, and
 * without one chat says plainly that remediation is not available. The service refuses with an HttpError-like error
 * (`statusCode` 4xx and `extra.reason`) for missing scope, four-eyes, not pending, locked, ….
 */
import type { AuthContext } from '../auth/auth-context.js';

/** The service's own types; RemediationActionInput is one action as its API takes it (the REST body's `actions[]`). */
export type { Remediation, RemediationActionInput, RemediationStatus } from '../remediation/types.js';
import type { Remediation, RemediationActionInput } from '../remediation/types.js';

export interface ChatProposal {
  actions: RemediationActionInput[];
  reason?: string;
  issue_id?: string;
  source: { kind: 'chat'; thread_id: string };
}

/** The in-process remediation service as chat uses it (RemediationProposer of contracts.md). */
export interface RemediationProposer {
  propose(auth: AuthContext, request: ChatProposal): Promise<Remediation>;
  approve(auth: AuthContext, id: string, comment?: string): Promise<Remediation>;
  reject(auth: AuthContext, id: string, comment?: string): Promise<Remediation>;
}

/** A refusal of the remediation service, read without depending on its error class. */
export function refusalOf(err: unknown): { statusCode?: number; reason?: string; message: string } {
  const e = err as { statusCode?: unknown; extra?: { reason?: unknown }; reason?: unknown; message?: unknown } | null;
  const statusCode = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  const reason = typeof e?.extra?.reason === 'string' ? e.extra.reason : typeof e?.reason === 'string' ? e.reason : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]!.slice(0, 500) : 'the remediation service failed';
  return { ...(statusCode !== undefined ? { statusCode } : {}), ...(reason ? { reason } : {}), message };
}
