/**
 * propose_remediation: validates remediation actions and returns them as a proposal awaiting human
 * approval. It performs nothing: execution (after approval by aiops:remediate) is another component.
 * It never answers `ok` (so its output schema admits nothing): its answer is `approval_required`
 * with a `RemediationProposal`.
 */
import { z } from 'zod';
import { ProposedActionSchema } from '../src/analysis/types.js';
import { defineTool } from './define-tool.js';

const ActionInput = ProposedActionSchema.strict().refine((a) => !Object.keys(a.parameters).some((k) => /workspace/i.test(k)), {
  message: 'parameters may not name a workspace: actions always apply to your own workspace',
  path: ['parameters'],
});

export interface RemediationProposal {
  status: 'approval_required';
  workspace_id: string;
  proposed_by: string;
  proposed_at: string;
  run_id?: string;
  summary: string;
  actions: z.infer<typeof ActionInput>[];
  finding_ids: string[];
  highest_risk: 'high' | 'medium' | 'low' | undefined;
}

export const proposeRemediation = defineTool({
  name: 'propose_remediation',
  description:
    'Propose remediation actions (scale, restart_application, restart_pod, rollback_function, acknowledge_alert, resolve_alert, adjust_resources, expand_volume) for a human to approve. Nothing is executed: the answer is always approval_required with the validated proposal.',
  scope: 'aiops:analyze',
  mutates: false,
  input: z.strictObject({
    summary: z.string().min(1).max(2000).describe('Why these actions, in one or two sentences'),
    actions: z.array(ActionInput).min(1).max(10).describe('The actions, in the order to apply them'),
    finding_ids: z.array(z.string().max(300)).max(50).default([]).describe('Ids of the findings the actions address'),
  }),
  output: z.never(),
  async handler(args, ctx, deps) {
    const proposal: RemediationProposal = {
      status: 'approval_required' as const,
      workspace_id: ctx.auth.workspaceId,
      proposed_by: ctx.auth.sub,
      proposed_at: new Date(deps.now()).toISOString(),
      ...(ctx.runId ? { run_id: ctx.runId } : {}),
      summary: args.summary,
      actions: args.actions,
      finding_ids: args.finding_ids,
      highest_risk: (['high', 'medium', 'low'] as const).find((r) => args.actions.some((a) => a.risk === r)),
    };
    return {
      status: 'approval_required',
      message: `${args.actions.length} action(s) proposed; nothing was executed: a human with aiops:remediate must approve them`,
      proposal,
    };
  },
  summarize: () => 'no answer: propose_remediation answers approval_required',
});
