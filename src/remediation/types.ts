/**
 * The remediation model, defined once: what a caller may ask for, and the record every replica
 * reads back from the shared store. A remediation is a list of actions that waits for a human with
 * aiops:remediate, then runs through the Hexabase control plane as that human.
 */
import { z } from 'zod';
import { ActionTypeSchema } from './action-types.js';
import { DNS1123_LABEL, nameProblem } from './names.js';
import { ParametersSchema } from './parameters.js';

export const REMEDIATION_STATUSES = [
  'pending_approval',
  'approved',
  'running',
  'completed',
  'failed',
  'rejected',
  'expired',
  'cancelled',
] as const;
export const RemediationStatusSchema = z.enum(REMEDIATION_STATUSES);
export type RemediationStatus = z.infer<typeof RemediationStatusSchema>;

/** States after which nothing changes any more. */
export const TERMINAL: ReadonlySet<RemediationStatus> = new Set(['completed', 'failed', 'rejected', 'expired', 'cancelled']);

const Risk = z.enum(['low', 'medium', 'high']);
export type Risk = z.infer<typeof Risk>;

/** One requested action (the seed's shape; `target_resource` is kind/name). */
export const RemediationActionInputSchema = z
  .strictObject({
    action_type: ActionTypeSchema,
    // The name is then checked against its kind's naming rule (names.ts): it becomes a control-plane path segment.
    target_resource: z
      .string()
      .max(300)
      .regex(/^[a-z]+\/[A-Za-z0-9._-]+$/, 'must be kind/name, e.g. deployment/cart'),
    namespace: z
      .string()
      .max(63)
      .refine((ns) => DNS1123_LABEL.ok(ns), `must be a Kubernetes namespace name: ${DNS1123_LABEL.what}`)
      .optional(),
    parameters: ParametersSchema.default({}),
    dry_run: z.boolean().default(false),
    /** Why (from an analysis or a chat); shown to the approver. */
    reason: z.string().max(2000).optional(),
    risk: Risk.optional(),
  })
  .superRefine((action, ctx) => {
    const slash = action.target_resource.indexOf('/');
    const problem = nameProblem(action.target_resource.slice(0, slash), action.target_resource.slice(slash + 1));
    if (problem) ctx.addIssue({ code: 'custom', path: ['target_resource'], message: problem });
  });
export type RemediationActionInput = z.input<typeof RemediationActionInputSchema>;
export type RemediationAction = z.output<typeof RemediationActionInputSchema>;

export const RemediationRequestSchema = z.strictObject({
  issue_id: z.string().min(1).max(200).optional(),
  actions: z.array(RemediationActionInputSchema).min(1, 'at least one action').max(10, 'at most 10 actions per remediation'),
  approval_required: z.boolean().default(true),
  reason: z.string().max(2000).optional(),
});
export type RemediationRequest = z.input<typeof RemediationRequestSchema>;

export const RemediationSourceSchema = z.object({
  kind: z.enum(['api', 'analysis', 'chat', 'mcp']),
  run_id: z.string().optional(),
  thread_id: z.string().optional(),
  /** An MCP call's request (its audit rows carry the same request id). */
  request_id: z.string().optional(),
});
export type RemediationSource = z.infer<typeof RemediationSourceSchema>;

/** One proposal a remediation stands for: the first, and each later one for the same target that joined it. */
export const ProposalSchema = z.object({
  source: RemediationSourceSchema,
  requested_by: z.string(),
  requested_at: z.string(),
});
export type Proposal = z.infer<typeof ProposalSchema>;

export const PlanStepSchema = z.object({
  index: z.number().int(),
  action_type: ActionTypeSchema,
  target_resource: z.string(),
  namespace: z.string().nullable(),
  parameters: z.record(z.string(), z.unknown()),
  dry_run: z.boolean(),
  risk: Risk,
  /** Whether the control plane can carry it out (adjust_resources/expand_volume are applied by hand). */
  executable: z.boolean(),
  description: z.string(),
  reason: z.string().nullable(),
});
export type PlanStep = z.infer<typeof PlanStepSchema>;

export const CheckSchema = z.object({ index: z.number().int(), ok: z.boolean(), message: z.string() });

export const DecisionSchema = z.object({
  decision: z.enum(['approved', 'rejected', 'cancelled']),
  by: z.string(),
  at: z.string(),
  comment: z.string().optional(),
});

export const StepResultSchema = z.object({
  index: z.number().int(),
  status: z.enum(['completed', 'failed', 'skipped', 'dry_run']),
  upstream_status: z.number().int().optional(),
  message: z.string(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

export const RemediationSchema = z.object({
  id: z.string(),
  workspace_id: z.string(),
  status: RemediationStatusSchema,
  issue_id: z.string().nullable(),
  source: RemediationSourceSchema,
  requested_by: z.string(),
  requested_at: z.string(),
  /** How many proposals joined into this one pending remediation (one per target), this one included. */
  proposal_count: z.number().int().min(1),
  /** Who proposed it, from where (distinct; the first is `source`/`requested_by`): every analysis run among them is resumed by the decision. */
  proposals: z.array(ProposalSchema),
  approval_required: z.boolean(),
  reason: z.string().nullable(),
  plan: z.array(PlanStepSchema),
  dry_run_result: z.object({ ok: z.boolean(), checks: z.array(CheckSchema), summary: z.string() }),
  risk: Risk,
  expires_at: z.string(),
  decision: DecisionSchema.nullable(),
  results: z.array(StepResultSchema),
  error: z.string().nullable(),
  updated_at: z.string(),
});
export type Remediation = z.infer<typeof RemediationSchema>;
