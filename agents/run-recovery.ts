/**
 * What happens to a run whose process went away (its lease expired and this process claimed it):
 * continued from its last checkpoint (LangGraph durable execution: `invoke(null)` on the thread
 * re-runs the node that was cut short and goes on), started over when it never wrote a checkpoint,
 * or ended `failed` with reason `interrupted` when it cannot be continued safely. Never left running.
 *
 * The lease carries what resuming needs and the checkpoint deliberately does not hold: the verified
 * identity the run acts as (subject, workspace, scopes — never the token, which is never stored)
 * and, until the first checkpoint exists, the run's input.
 */
import { z } from 'zod';
import type { AuthContext } from '../src/auth/auth-context.js';
import { PermissionSchema } from '../src/auth/permissions.js';
import { AnalysisTypeSchema } from '../src/analysis/types.js';
import type { AnalysisRequest } from './analysis/state.js';

/** A run is given up after this many executions (a run that brings its process down each time must not do so forever). */
export const MAX_RUN_EXECUTIONS = 3;

/**
 * Nodes a recovered run stops before. The remediation service executes an approved remediation
 * before it resumes the run, so `remediate` only records the outcome the resume brought; a run cut
 * short there still ends `interrupted` (its message points at the remediation, whose record is the
 * truth) rather than being finished by a process that never received the approval.
 */
export const NODES_NEEDING_THE_CALLER = ['remediate'] as const;

const RunIdentitySchema = z.object({
  sub: z.string().min(1),
  workspaceId: z.string().min(1),
  permissions: z.array(PermissionSchema),
  planType: z.enum(['shared', 'dedicated']),
  orgIds: z.array(z.string()),
  tokenType: z.enum(['aiops-contract', 'internal-aiops-v1']),
  jti: z.string().optional(),
  crossWorkspaceFrom: z.string().optional(),
});

const RunInputSchema = z.object({
  workspaceId: z.string().min(1),
  requestedBy: z.string(),
  request: z.object({
    analysisType: AnalysisTypeSchema,
    timeRangeMinutes: z.number().int().positive(),
    targets: z.array(z.string()),
    endTime: z.number(),
  }),
});

const LeasePayloadSchema = z.object({
  identity: RunIdentitySchema,
  requestId: z.string().optional(),
  traceId: z.string().optional(),
  /** Present until the first checkpoint makes it redundant (a run that never checkpointed starts over). */
  input: RunInputSchema.optional(),
});

export type RunInput = { workspaceId: string; requestedBy: string; request: AnalysisRequest };
export type LeasePayload = z.infer<typeof LeasePayloadSchema>;

export function leasePayload(
  auth: AuthContext,
  extra: { requestId?: string | undefined; traceId?: string | undefined; input?: RunInput },
): string {
  const identity = {
    sub: auth.sub,
    workspaceId: auth.workspaceId,
    permissions: [...auth.permissions],
    planType: auth.planType,
    orgIds: [...auth.orgIds],
    tokenType: auth.tokenType,
    ...(auth.jti ? { jti: auth.jti } : {}),
    ...(auth.crossWorkspaceFrom ? { crossWorkspaceFrom: auth.crossWorkspaceFrom } : {}),
  };
  return JSON.stringify({
    identity,
    ...(extra.requestId ? { requestId: extra.requestId } : {}),
    ...(extra.traceId ? { traceId: extra.traceId } : {}),
    ...(extra.input ? { input: extra.input } : {}),
  } satisfies LeasePayload);
}

export function parseLeasePayload(text: string): LeasePayload | undefined {
  try {
    const parsed = LeasePayloadSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The identity a recovered run acts as: the starter's, without a token (nothing it runs needs one). */
export function recoveredAuth(payload: LeasePayload): AuthContext {
  return { ...payload.identity, expiresAt: 0, rawToken: '' };
}

export type Recovery =
  { kind: 'settled' } | { kind: 'restart'; input: RunInput } | { kind: 'resume' } | { kind: 'interrupt'; message: string };

/**
 * The decision for a claimed run, from its checkpoint (`status` undefined: none yet) and its lease.
 * `settled`: it is not executing any more (finished, waiting for approval, failed): only the lease was left.
 */
export function planRecovery(
  checkpoint: { status: 'running' | 'awaiting_approval' | 'completed' | 'no_data' | 'failed'; next: readonly string[] } | undefined,
  attempts: number,
  payload: LeasePayload | undefined,
): Recovery {
  if (checkpoint && checkpoint.status !== 'running') return { kind: 'settled' };
  if (!payload)
    return checkpoint
      ? { kind: 'interrupt', message: 'the process running it stopped and its lease record is unreadable' }
      : { kind: 'settled' };
  if (attempts > MAX_RUN_EXECUTIONS) {
    return { kind: 'interrupt', message: `the processes running it stopped ${MAX_RUN_EXECUTIONS} times; it is not tried again` };
  }
  if (!checkpoint) return payload.input ? { kind: 'restart', input: payload.input } : { kind: 'settled' };
  if (checkpoint.next.some((n) => (NODES_NEEDING_THE_CALLER as readonly string[]).includes(n)))
    return { kind: 'interrupt', message: interruptedBeforeRemediation };
  return { kind: 'resume' };
}

export const interruptedBeforeRemediation =
  'the process running it stopped before or while it executed the approved remediation; a recovered run does not execute it ' +
  '(that needs the approver): see the remediation for what was applied';
