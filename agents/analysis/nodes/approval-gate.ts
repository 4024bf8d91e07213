/**
 * approval gate: proposed actions stop here until a human decides. Nothing with side effects
 * happens before `interrupt()`: on resume this node runs again from the top, so it only reads
 * state and returns the decision; execution lives in the next node.
 */
import { interrupt } from '@langchain/langgraph';
import { z } from 'zod';
import { progress, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

/** What the resume value must look like (given by the approval endpoint after its own checks). */
export const ApprovalResumeSchema = z.object({
  decision: z.enum(['approved', 'rejected']),
  by: z.string().min(1),
  at: z.string(),
  comment: z.string().max(2000).optional(),
});

export function approvalGateNode(deps: AgentDeps) {
  return async (state: AnalysisState): Promise<AnalysisUpdate> => {
    const answer = interrupt({
      kind: 'approval_required',
      proposed_actions: state.proposedActions,
      remediation_id: state.remediationId,
      summary: state.diagnosis?.summary ?? '',
    });
    const decision = ApprovalResumeSchema.parse(answer);
    return { approval: decision, progress: [progress(deps, 'approval-gate', `${decision.decision} by ${decision.by}`)] };
  };
}

/** After diagnosis: stop at the gate only when something was proposed. */
export function routeAfterDiagnosis(state: AnalysisState): 'propose' | '__end__' {
  return state.proposedActions.length > 0 ? 'propose' : '__end__';
}
