/**
 * One tool call of a chat turn, for the model loop and the deterministic mode alike: emit
 * `tool_call`, run the tool through the scoped toolbox (as a LangChain tool, tools/langchain.ts:
 * scope, validation, approval rule, audit), and emit `tool_result` with a one-line summary. A
 * `propose_remediation` result (a validated proposal awaiting approval) becomes a pending remediation
 * through the remediation service and an `approval_request` event; without that service, chat says
 * remediation is not available. Nothing here throws for a tool's sake: failures are results.
 * What a call leaves in the thread's checkpoint (its arguments, summary and the result the model
 * reads) is redacted first (src/audit/redact.ts): a secret in a tool's answer is not stored.
 */
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import type { ProposedAction } from '../../src/analysis/types.js';
import { evidenceFromResult, focusFromResult, type Focus } from '../../src/chat/evidence.js';
import type { EvidenceRef, ToolResultStatus } from '../../src/chat/events.js';
import { clip, toolResultContent } from '../../src/chat/context.js';
import { refusalOf, type Remediation, type RemediationActionInput } from '../../src/chat/remediation-port.js';
import { redact, redactString } from '../../src/audit/redact.js';
import type { ToolResult } from '../../tools/index.js';
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

/** One line saying what a result holds. */
export function summarise(name: string, result: ToolResult): string {
  if (result.status === 'no_data') return clip(`no data: ${result.message}`);
  if (result.status !== 'ok') return clip(result.message);
  const d = (result.data ?? {}) as Record<string, unknown>;
  const hyps = (d.diagnosis as { hypotheses?: { cause: string }[] } | undefined)?.hypotheses;
  if (hyps)
    return clip(
      hyps.length === 0
        ? `no problem found in ${String(d.series_analysed)} series`
        : `${hyps.length} hypothes${hyps.length === 1 ? 'is' : 'es'}, most likely: ${hyps[0]!.cause}`,
    );
  if (Array.isArray(d.findings)) {
    const first = (d.findings as { title?: string }[])[0];
    return clip(`${String(d.count ?? d.findings.length)} finding(s)${first?.title ? `, first: ${first.title}` : ''}`);
  }
  if (Array.isArray(d.alerts)) return clip(`${String(d.count ?? d.alerts.length)} active alert(s)`);
  if (typeof d.total_series === 'number') return clip(`${d.total_series} series of ${String(d.query)}`);
  const counts = d.counts as Record<string, number> | undefined;
  if (counts)
    return clip(
      `${counts.pods ?? 0} pods in ${counts.namespaces ?? 0} namespaces, ${counts.pods_not_ready ?? 0} not ready, ${counts.containers_restarted_last_hour ?? 0} containers restarted in the last hour`,
    );
  return `${name} answered`;
}

function toRequestAction(a: ProposedAction): RemediationActionInput {
  return {
    action_type: a.action_type,
    target_resource: a.target_resource,
    ...(a.namespace ? { namespace: a.namespace } : {}),
    parameters: a.parameters ?? {},
    reason: a.reason.slice(0, 2000),
    risk: a.risk,
  };
}

async function runTool(
  name: string,
  args: unknown,
  tools: readonly StructuredToolInterface[],
  deps: ChatDeps,
  config: LangGraphRunnableConfig,
): Promise<ToolResult> {
  const tool = tools.find((t) => t.name === name);
  // An unknown name still goes through the toolbox: it answers (and audits) "unknown tool".
  const raw = tool
    ? await tool.invoke(args as Record<string, unknown>)
    : JSON.stringify(await deps.toolbox.run(name, args, chatToolContext(config)));
  try {
    return JSON.parse(String(raw)) as ToolResult;
  } catch {
    return { status: 'error', message: `${name} answered something that is not JSON` };
  }
}

async function propose(
  result: Extract<ToolResult, { status: 'approval_required' }>,
  deps: ChatDeps,
  config: LangGraphRunnableConfig,
  now: string,
): Promise<Pick<ToolOutcome, 'pending' | 'remediation'> & { status: ToolResultStatus; summary: string }> {
  if (!deps.proposer) return { status: 'error', summary: NO_REMEDIATION };
  const proposal = result.proposal as { summary?: string; actions?: ProposedAction[] };
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
  tools: readonly StructuredToolInterface[],
  deps: ChatDeps,
  config: LangGraphRunnableConfig,
  toolTokens: number,
): Promise<ToolOutcome> {
  const { sink } = turnContext(config);
  const shownArgs = redact(call.args) as Record<string, unknown>;
  sink({ event: 'tool_call', data: { id: call.id, name: call.name, args: shownArgs } });
  const result = await runTool(call.name, call.args, tools, deps, config);
  let status = statusOf(result);
  let summary = redactString(summarise(call.name, result));
  let extra: Pick<ToolOutcome, 'pending' | 'remediation'> = {};
  if (call.name === 'propose_remediation' && result.status === 'approval_required') {
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
  const focus = focusFromResult(result);
  const evidence = [
    ...evidenceFromResult(call.name, result),
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
