/**
 * approval gate: proposed actions stop here until a human decides. Nothing with side effects
 * happens before `interrupt()`: on resume this node runs again from the top, so it only reads
 * state and returns what the resume brought. The remediation service resumes the run only after it
 * decided and (when approved) executed the remediation itself, so the resume carries the decision
 * and the execution's report; the next node records them. Nothing here or after executes anything.
 */
import { interrupt } from '@langchain/langgraph';
import { z } from 'zod';
import { progress, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

const DecisionSchema = z.object({
  decision: z.enum(['approved', 'rejected']),
  by: z.string().min(1),
  at: z.string(),
  comment: z.string().max(2000).optional(),
});

/** What the resume value must look like (given by the remediation service's decision, after its own checks). */
export const ApprovalResumeSchema = z.object({
  decision: DecisionSchema,
  outcome: z
    .object({
      status: z.string(),
      error: z.string().nullable(),
      // Loose: a step's other fields (upstream_status) reach the run's outcome as the service reported them.
      results: z.array(z.looseObject({ index: z.number().int(), status: z.string(), message: z.string() })),
    })
    .optional(),
});

export function approvalGateNode(deps: AgentDeps) {
  return async (state: AnalysisState): Promise<AnalysisUpdate> => {
    const answer = interrupt({
      kind: 'approval_required',
      proposed_actions: state.proposedActions,
      remediation_id: state.remediationId,
      summary: state.diagnosis?.summary ?? '',
    });
    const { decision, outcome } = ApprovalResumeSchema.parse(answer);
    return {
      approval: decision,
      execution: outcome ?? null,
      progress: [progress(deps, 'approval-gate', `${decision.decision} by ${decision.by}`)],
    };
  };
}

/** After diagnosis: stop at the gate only when something was proposed. */
export function routeAfterDiagnosis(state: AnalysisState): 'propose' | '__end__' {
  return state.proposedActions.length > 0 ? 'propose' : '__end__';
}
