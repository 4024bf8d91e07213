/**
 * remediation: runs only after the state records an approval. Execution goes through the injected
 * executor (the control-plane client, acting as the approving user); without one the outcome says
 * so plainly. A rejection is recorded and nothing runs.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { progress, toolContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

export function remediationNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    const approval = state.approval;
    if (!approval || approval.decision !== 'approved') {
      return { remediation: { status: 'rejected', message: `rejected by ${approval?.by ?? 'nobody'}`, results: [] }, progress: [progress(deps, 'remediation', 'nothing executed (rejected)')] };
    }
    if (!deps.executor) {
      return {
        remediation: { status: 'not_executed', message: 'approved, but no control-plane executor is configured (HEXABASE_API_URL); apply the actions by hand', results: [] },
        progress: [progress(deps, 'remediation', 'approved; no executor configured')],
      };
    }
    const ctx = { ...toolContext(config), approval: { approvedBy: approval.by, approvalId: `${config.configurable?.thread_id as string}:${approval.at}` } };
    try {
      const results = await deps.executor.execute(state.proposedActions, ctx);
      const failed = results.filter((r) => r.status !== 'ok' && r.status !== 'completed').length;
      return {
        remediation: { status: failed === 0 ? 'executed' : 'failed', message: `${results.length - failed} of ${results.length} actions succeeded`, results },
        progress: [progress(deps, 'remediation', `${results.length - failed}/${results.length} actions succeeded`)],
      };
    } catch (err) {
      return { remediation: { status: 'failed', message: (err as Error).message, results: [] }, errors: [{ node: 'remediation', message: (err as Error).message }] };
    }
  };
}
