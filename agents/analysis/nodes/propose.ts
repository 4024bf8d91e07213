/**
 * propose: the diagnosis's proposed actions become one pending remediation in the shared store
 * (GET /remediations lists it; approving it resumes this run at the gate). This node runs once:
 * the interrupt is in the next node, so a resume never repeats it. Without a remediation service
 * (tests, embedded use) the gate still waits for a decision given to the run directly. When the
 * service refused the proposal (e.g. the workspace's cap of pending remediations), the run ends
 * with that error instead: there is nothing anyone could approve, so waiting would be forever.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { progress, runContext, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

export function proposeNode(deps: AgentDeps) {
  return async (state: AnalysisState, config: LangGraphRunnableConfig): Promise<AnalysisUpdate> => {
    if (!deps.remediation) return {};
    const runId = config.configurable?.thread_id as string;
    try {
      const { id, expiresAt } = await deps.remediation.proposeForRun(
        runContext(config).auth,
        runId,
        state.proposedActions,
        state.diagnosis?.summary ?? '',
      );
      return {
        remediationId: id,
        progress: [progress(deps, 'propose', `remediation ${id} awaits approval by someone with aiops:remediate (until ${expiresAt})`)],
      };
    } catch (err) {
      return {
        errors: [
          {
            node: 'propose',
            message: `the proposed actions could not be registered for approval: ${(err as Error).message}`.slice(0, 500),
          },
        ],
      };
    }
  };
}

/** After propose: wait at the gate, unless a remediation service exists and refused the proposal. */
export function routeAfterPropose(deps: AgentDeps) {
  return (state: AnalysisState): 'approval-gate' | '__end__' => (deps.remediation && !state.remediationId ? '__end__' : 'approval-gate');
}
