/**
 * One tool call of a chat turn, for the model loop and the deterministic mode alike: emit
 * `tool_call`, run the tool through the chat's toolbox (`ToolBox.call`, the door the analysis graph
 * uses too: scope, validation, approval rule, audit, a tool span of the turn's trace), and emit
 * `tool_result` with the tool's own one-line summary; the tool's evidence and subject update the
 * turn. A `propose_remediation` result (a validated proposal awaiting approval) becomes a pending
 * remediation through the remediation service and an `approval_request` event; without that
 * service, chat says remediation is not available. Nothing here throws for a tool's sake: failures
 * are results. What a call leaves in the thread's checkpoint (its arguments, summary and the result
 * the model reads) is redacted first (src/audit/redact.ts): a secret in a tool's answer is not stored.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Focus } from './evidence.js';
import type { EvidenceRef, ToolResultStatus } from '../../src/chat/events.js';
import { clip, toolResultContent } from './context.js';
import { refusalOf, toRequestAction, type Remediation } from '../../src/chat/remediation-port.js';
import { redact, redactString } from '../../src/audit/redact.js';
import { proposeRemediation, type RemediationProposal, type ToolResult } from '../../tools/index.js';
import { chatToolContext, threadIdOf, turnContext, type ChatDeps } from './deps.js';
import type { PendingRemediation, ToolActivity } from './state.js';

export interface ToolCallRequest {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface ToolOutcome {
  activity: ToolActivity;
  /** The tool message content for the model (fenced, clipped). */
  content: string;
  result: ToolResult;
  evidence: EvidenceRef[];
  focus?: Focus;
  pending?: PendingRemediation;
  remediation?: Remediation;
}

export const NO_REMEDIATION =
  'remediation is not available in this deployment (no remediation service is configured): nothing was proposed';

function isDenied(result: ToolResult): boolean {
  return result.status === 'error' && typeof result.details?.required_scope === 'string' && /^missing scope/.test(result.message);
}

function statusOf(result: ToolResult): ToolResultStatus {
  if (result.status === 'ok' || result.status === 'no_data') return 'ok';
  if (result.status === 'approval_required') return 'approval_required';
  return isDenied(result) ? 'denied' : 'error';
}

async function propose(
  result: Extract<ToolResult, { status: 'approval_required' }>,
  deps: ChatDeps,
  config: LangGraphRunnableConfig,
  now: string,
): Promise<Pick<ToolOutcome, 'pending' | 'remediation'> & { status: ToolResultStatus; summary: string }> {
  if (!deps.proposer) return { status: 'error', summary: NO_REMEDIATION };
  const proposal = result.proposal as Partial<RemediationProposal>;
  try {
    const remediation = await deps.proposer.propose(turnContext(config).auth, {
      actions: (proposal.actions ?? []).map(toRequestAction),
      ...(proposal.summary ? { reason: proposal.summary } : {}),
      source: { kind: 'chat', thread_id: threadIdOf(config) },
    });
    const description =
      remediation.plan.map((p) => p.description).join('; ') ||
      (proposal.actions ?? []).map((a) => `${a.action_type} ${a.target_resource}`).join('; ');
    const pendingApproval = remediation.status === 'pending_approval';
    return {
      status: pendingApproval ? 'approval_required' : 'ok',
      summary: clip(
        `remediation ${remediation.id} ${pendingApproval ? 'awaits approval' : remediation.status}: ${description} (risk ${remediation.risk})`,
      ),
      remediation,
      pending: { id: remediation.id, description, status: remediation.status, at: now },
    };
  } catch (err) {
    const refusal = refusalOf(err);
    return {
      status: refusal.denied ? 'denied' : 'error',
      summary: clip(`the remediation service refused: ${refusal.message}${refusal.reason ? ` (${refusal.reason})` : ''}`),
    };
  }
}

/** Runs one tool call with its events; `toolTokens` bounds the result the model reads. */
export async function runToolCall(
  call: ToolCallRequest,
  deps: ChatDeps,
  config: LangGraphRunnableConfig,
  toolTokens: number,
): Promise<ToolOutcome> {
  const { sink } = turnContext(config);
  const shownArgs = redact(call.args) as Record<string, unknown>;
  sink({ event: 'tool_call', data: { id: call.id, name: call.name, args: shownArgs } });
  // Read as JSON, as the model reads it: the deterministic answers quote exactly what a model would be shown.
  const answered = await deps.toolbox.call(call.name, call.args, chatToolContext(config), { trace: config, asJson: true });
  const { result } = answered;
  let status = statusOf(result);
  let summary = redactString(clip(answered.summary));
  let extra: Pick<ToolOutcome, 'pending' | 'remediation'> = {};
  if (call.name === proposeRemediation.name && result.status === 'approval_required') {
    const proposed = await propose(result, deps, config, new Date(deps.now()).toISOString());
    ({ status, summary } = proposed);
    extra = {
      ...(proposed.pending ? { pending: proposed.pending } : {}),
      ...(proposed.remediation ? { remediation: proposed.remediation } : {}),
    };
  }
  sink({ event: 'tool_result', data: { id: call.id, name: call.name, status, summary } });
  if (extra.remediation && status === 'approval_required') sink({ event: 'approval_request', data: { remediation: extra.remediation } });

  const forModel = extra.remediation
    ? {
        status,
        summary,
        remediation: {
          id: extra.remediation.id,
          status: extra.remediation.status,
          risk: extra.remediation.risk,
          plan: extra.remediation.plan.map((p) => p.description),
          expires_at: extra.remediation.expires_at,
        },
        how_to_decide:
          'the user approves or rejects it in the console, through the REST API, or by typing "approve" or "reject" in this conversation',
      }
    : { status, summary, result };
  const focus = answered.subject;
  const evidence = [
    ...answered.evidence,
    ...(extra.remediation ? [{ kind: 'remediation', ref: extra.remediation.id, description: summary }] : []),
  ];
  return {
    activity: { id: call.id, name: call.name, args: shownArgs, status, summary },
    content: redactString(toolResultContent(call.name, forModel, toolTokens)),
    result,
    evidence,
    ...(focus ? { focus } : {}),
    ...extra,
  };
}
