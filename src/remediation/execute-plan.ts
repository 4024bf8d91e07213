/**
 * Carries out an approved plan step by step through the control plane, stopping at the first
 * failure. Dry-run steps and steps a human applies are reported, never sent. Each write carries
 * the idempotency key `<remediation id>:<step>`, so a retried call cannot apply a step twice.
 * Result messages are redacted (an upstream error may echo a credential) before they are stored.
 */
import { redactString } from '../audit/redact.js';
import { controlPlanePath, type ControlPlaneWrite } from '../clients/hexabase.js';
import { controlPlaneCall } from './actions.js';
import type { PlanStep, StepResult } from './types.js';

export interface ControlPlaneWriter {
  send(call: ControlPlaneWrite): Promise<{ status: number; body: unknown }>;
}

export async function executePlan(
  plan: readonly PlanStep[],
  ctx: {
    workspaceId: string;
    remediationId: string;
    userToken: string;
    controlPlane?: ControlPlaneWriter;
    onStep?: (r: StepResult, step: PlanStep) => Promise<void>;
  },
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let failed = false;
  for (const step of plan) {
    const call = controlPlaneCall(ctx.workspaceId, step);
    let result: StepResult;
    if (failed) result = { index: step.index, status: 'skipped', message: 'not run: an earlier step failed' };
    else if (!call)
      result = {
        index: step.index,
        status: 'skipped',
        message: `apply by hand: ${step.description} (the control plane has no endpoint for it)`,
      };
    else if (step.dry_run) result = dryRun(step, call);
    else if (!ctx.controlPlane)
      result = { index: step.index, status: 'failed', message: 'no control plane is configured (HEXABASE_API_URL): nothing was executed' };
    else {
      try {
        const answer = await ctx.controlPlane.send({
          ...call,
          userToken: ctx.userToken,
          idempotencyKey: `${ctx.remediationId}:${step.index}`,
        });
        result = {
          index: step.index,
          status: 'completed',
          upstream_status: answer.status,
          message: `${step.description}: done (${summarise(answer.body)})`,
        };
      } catch (err) {
        const upstream = (err as { upstreamStatus?: number }).upstreamStatus;
        result = {
          index: step.index,
          status: 'failed',
          ...(upstream ? { upstream_status: upstream } : {}),
          message: (err as Error).message,
        };
      }
    }
    result.message = redactString(result.message);
    failed ||= result.status === 'failed';
    results.push(result);
    await ctx.onStep?.(result, step);
  }
  return results;
}

function dryRun(step: PlanStep, call: Pick<ControlPlaneWrite, 'method' | 'segments' | 'body'>): StepResult {
  try {
    const path = controlPlanePath(call.segments);
    return { index: step.index, status: 'dry_run', message: `dry run: would ${call.method} ${path} ${JSON.stringify(call.body)}` };
  } catch (err) {
    return { index: step.index, status: 'failed', message: (err as Error).message };
  }
}

function summarise(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
