/**
 * remediation: records what became of the proposals once decided. Execution is the remediation
 * service's (the control plane, as the approving user, exactly once), done before it resumed this
 * run: the report came with the decision (state.execution), and this node only turns it into the
 * run's outcome; it never calls back into the service. Approved without a report (no remediation
 * service took the proposal), the outcome says so plainly. A rejection is recorded and nothing runs.
 */
import { progress, type AgentDeps } from '../deps.js';
import type { AnalysisState, AnalysisUpdate } from '../state.js';

export function remediateNode(deps: AgentDeps) {
  return async (state: AnalysisState): Promise<AnalysisUpdate> => {
    const approval = state.approval;
    if (!approval || approval.decision !== 'approved') {
      return {
        remediation: { status: 'rejected', message: `rejected by ${approval?.by ?? 'nobody'}`, results: [] },
        progress: [progress(deps, 'remediation', 'nothing executed (rejected)')],
      };
    }
    const report = state.execution;
    if (!report || !state.remediationId) {
      return {
        remediation: {
          status: 'not_executed',
          message: 'approved, but no remediation service took the proposal; apply the actions by hand',
          results: [],
        },
        progress: [progress(deps, 'remediation', 'approved; nothing to execute with')],
      };
    }
    const done = report.results.filter((r) => r.status === 'completed' || r.status === 'dry_run').length;
    return {
      remediation: {
        status: report.status === 'completed' ? 'executed' : 'failed',
        message: report.error ?? `remediation ${state.remediationId} ${report.status}: ${done} of ${report.results.length} steps applied`,
        results: report.results,
      },
      progress: [progress(deps, 'remediation', `remediation ${state.remediationId} ${report.status}`)],
    };
  };
}
