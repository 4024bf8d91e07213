/**
 * remediation: runs only after the state records an approval. Execution is the remediation
 * service's (the control plane, as the approving user, exactly once); without one the outcome says
 * so plainly. A rejection is recorded and nothing runs.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { progress, runContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

export function remediationNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    const approval = state.approval;
    if (!approval || approval.decision !== 'approved') {
      return {
        remediation: { status: 'rejected', message: `rejected by ${approval?.by ?? 'nobody'}`, results: [] },
        progress: [progress(deps, 'remediation', 'nothing executed (rejected)')],
      };
    }
    if (!deps.remediation || !state.remediationId) {
      return {
        remediation: {
          status: 'not_executed',
          message: 'approved, but no remediation service took the proposal; apply the actions by hand',
          results: [],
        },
        progress: [progress(deps, 'remediation', 'approved; nothing to execute with')],
      };
    }
    try {
      const outcome = await deps.remediation.executeApproved(runContext(config).auth, state.remediationId);
      const done = outcome.results.filter((r) => r.status === 'completed' || r.status === 'dry_run').length;
      const ok = outcome.status === 'completed';
      return {
        remediation: {
          status: ok ? 'executed' : 'failed',
          message:
            outcome.error ?? `remediation ${state.remediationId} ${outcome.status}: ${done} of ${outcome.results.length} steps applied`,
          results: outcome.results,
        },
        progress: [progress(deps, 'remediation', `remediation ${state.remediationId} ${outcome.status}`)],
      };
    } catch (err) {
      return {
        remediation: { status: 'failed', message: (err as Error).message, results: [] },
        errors: [{ node: 'remediation', message: (err as Error).message }],
      };
    }
  };
}
