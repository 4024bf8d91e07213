/**
 * What a remediation's proposals are made of, beyond the request itself: who counts as the same
 * person (four-eyes), which targets a plan touches (one pending remediation per target), how a
 * proposal joins a pending remediation, which analysis runs a decision resumes, and the request with
 * its secrets masked (src/audit/redact.ts: one redaction mechanism) before it is planned or stored.
 */
import { redact, redactString } from '../audit/redact.js';
import { RemediationError } from './errors.js';
import type { PlanStep, Proposal, Remediation } from './types.js';

/** Most distinct proposals a remediation records (every analysis run among them is resumed by its decision). */
const MAX_PROPOSALS = 100;

/** A subject as four-eyes compares it: NFKC, case-folded (upper then lower, so `ß` = `SS`), trimmed. */
export function subjectKey(sub: string): string {
  return sub.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').trim();
}
export const sameSubject = (a: string, b: string) => subjectKey(a) === subjectKey(b);

/** What the remediation acts on: `namespace/kind/name` of every step that is not a dry run (dry runs change nothing, so they never collide). */
export function targetsOf(plan: readonly PlanStep[]): string[] {
  return plan.filter((s) => !s.dry_run).map((s) => `${s.namespace ?? ''}/${s.target_resource}`);
}

/** A pending remediation with one more proposal counted (and recorded when it comes from a new source or person). */
export function withProposal(doc: Remediation, proposal: Proposal, nowMs: number): Remediation {
  const source = JSON.stringify(proposal.source);
  const known = doc.proposals.some((p) => sameSubject(p.requested_by, proposal.requested_by) && JSON.stringify(p.source) === source);
  if (!known && doc.proposals.length >= MAX_PROPOSALS) {
    throw new RemediationError(
      'limited',
      'limit_exceeded',
      `remediation ${doc.id} already stands for ${MAX_PROPOSALS} distinct proposals: decide on it first`,
      { limit: 'proposals_per_remediation', max: MAX_PROPOSALS },
      60,
    );
  }
  return {
    ...doc,
    proposal_count: doc.proposal_count + 1,
    proposals: known ? doc.proposals : [...doc.proposals, proposal],
    updated_at: new Date(nowMs).toISOString(),
  };
}

/** Every analysis run the remediation stands for, each once. */
export function runIdsOf(doc: Remediation): string[] {
  return [...new Set(doc.proposals.flatMap((p) => (p.source.kind === 'analysis' && p.source.run_id ? [p.source.run_id] : [])))];
}

/** The request with secret-shaped text masked (reasons, ids, parameter strings and secret-named parameters), before it is planned or stored. */
interface Redactable {
  issue_id?: string | undefined;
  reason?: string | undefined;
  actions: { parameters: Record<string, unknown>; reason?: string | undefined }[];
}

export function redactRequest<T extends Redactable>(body: T): T {
  return {
    ...body,
    ...(body.issue_id !== undefined ? { issue_id: redactString(body.issue_id) } : {}),
    ...(body.reason !== undefined ? { reason: redactString(body.reason) } : {}),
    actions: body.actions.map((a) => ({
      ...a,
      parameters: redact(a.parameters) as Record<string, unknown>,
      ...(a.reason !== undefined ? { reason: redactString(a.reason) } : {}),
    })),
  };
}
