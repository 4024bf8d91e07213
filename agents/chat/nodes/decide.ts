/**
 * decide: the user typed an approval command ("approve", "reject: too risky", "approve <id>"). The
 * decision goes to the remediation service as this user (it checks aiops:remediate, four-eyes,
 * expiry, locks) — never through a model: a decision with side effects is taken only on the user's
 * own words. Without an id, the newest remediation of this thread still awaiting approval is meant.
 */
import { randomUUID } from 'node:crypto';
import { AIMessage } from '@langchain/core/messages';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { approvalCommand } from '../intents.js';
import { refusalOf, type Remediation } from '../../../src/chat/remediation-port.js';
import { turnContext, type ChatDeps } from '../deps.js';
import type { ChatState, ChatUpdate, PendingRemediation, ToolActivity } from '../state.js';

function outcomeText(r: Remediation, decision: 'approve' | 'reject'): string {
  if (decision === 'reject') return `Rejected remediation ${r.id}: nothing will run.`;
  const results = r.results.map((x) => `- ${r.plan[x.index]?.description ?? `action ${x.index}`}: ${x.status} — ${x.message}`);
  return [
    `Approved remediation ${r.id}: it is ${r.status}.`,
    ...(results.length > 0 ? [results.join('\n')] : []),
    ...(r.error ? [`Error: ${r.error}`] : []),
  ].join('\n\n');
}

export function decideNode(deps: ChatDeps) {
  return async (state: ChatState, config: LangGraphRunnableConfig): Promise<ChatUpdate> => {
    const { auth, sink } = turnContext(config);
    const command = approvalCommand(state.turnText)!;
    // `decided`: the remediation a decision was asked for, and what became of it (the answer's evidence).
    const answer = (text: string, decided?: { id: string; activity: ToolActivity }, pending?: PendingRemediation[]): ChatUpdate => ({
      messages: [new AIMessage(text)],
      activity: decided ? [decided.activity] : [],
      ...(pending ? { pending } : {}),
      answer: {
        text,
        evidence: decided ? [{ kind: 'remediation', ref: decided.id, description: decided.activity.summary }] : [],
        partial: false,
        mode: 'deterministic',
      },
      answerStreamed: false,
    });
    if (!deps.proposer)
      return answer(
        'Remediation is not available in this deployment (no remediation service is configured): there is nothing to approve or reject.',
      );
    const target = command.remediationId ?? [...state.pending].reverse().find((p) => p.status === 'pending_approval')?.id;
    if (!target)
      return answer(
        'There is no remediation awaiting approval in this conversation. Approve one by its id ("approve <id>") or in the console.',
      );

    const id = `call_${randomUUID().slice(0, 12)}`;
    const name = command.kind === 'approve' ? 'approve_remediation' : 'reject_remediation';
    const args = { remediation_id: target, ...(command.comment ? { comment: command.comment } : {}) };
    sink({ event: 'tool_call', data: { id, name, args } });
    let activity: ToolActivity;
    let text: string;
    let updated: Remediation | undefined;
    try {
      updated =
        command.kind === 'approve'
          ? await deps.proposer.approve(auth, target, command.comment)
          : await deps.proposer.reject(auth, target, command.comment);
      activity = { id, name, args, status: 'ok', summary: `remediation ${updated.id} is ${updated.status}` };
      text = outcomeText(updated, command.kind);
    } catch (err) {
      const refusal = refusalOf(err);
      activity = {
        id,
        name,
        args,
        status: refusal.denied ? 'denied' : 'error',
        summary: `${refusal.message}${refusal.reason ? ` (${refusal.reason})` : ''}`,
      };
      text = `The remediation service refused to ${command.kind} remediation ${target}: ${activity.summary}.`;
    }
    sink({ event: 'tool_result', data: { id, name, status: activity.status, summary: activity.summary } });
    const pending = updated ? state.pending.map((p) => (p.id === updated!.id ? { ...p, status: updated!.status } : p)) : undefined;
    return answer(text, { id: target, activity }, pending);
  };
}
