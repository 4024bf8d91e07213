/**
 * Context management of a conversation under a token budget (CHAT_CONTEXT_TOKENS), estimated like
 * the diagnosis prompt (src/analysis/diagnose/compact.ts: ~3.5 ASCII characters per token):
 *  - between turns, the oldest whole turns are folded out of the kept messages into a short
 *    extractive summary (the question, the start of the answer, the tools used) once the history
 *    passes half the budget; the summary itself is bounded, newest lines kept;
 *  - for each model call, tool results are clipped (oldest first) and, if still needed, older turns
 *    dropped from the prompt, so system prompt + summary + messages fit the budget.
 * Deterministic: no model call is spent on summarising. Everything here that came from a user or a
 * tool stays inside untrusted-data fences (re-fenced after clipping, so a fence is never cut open).
 */
import { AIMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { estimateTokens } from '../../src/analysis/diagnose/compact.js';
import { fenceUntrusted } from '../../src/prompts/fence.js';

const FENCE = /^<<<UNTRUSTED_DATA label="([^"]*)" id="[0-9a-f]+">>>\n([\s\S]*)\n<<<END_UNTRUSTED_DATA id="[0-9a-f]+">>>$/;

/** Text of a message's content (string, or the text parts of a content array). */
export function textOf(content: BaseMessage['content']): string {
  if (typeof content === 'string') return content;
  return content
    .map((p) => (typeof p === 'string' ? p : typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
    .join('');
}

/** The data inside a fence (as fenced, i.e. with marker-like text neutralised), or the text itself. */
export function unfence(text: string): { label?: string; data: string } {
  const m = FENCE.exec(text);
  return m ? { label: m[1]!, data: m[2]! } : { data: text };
}

function messageTokens(m: BaseMessage): number {
  const calls = AIMessage.isInstance(m) && m.tool_calls?.length ? estimateTokens(JSON.stringify(m.tool_calls)) : 0;
  return estimateTokens(textOf(m.content)) + calls + 4;
}

export const totalTokens = (messages: readonly BaseMessage[]) => messages.reduce((n, m) => n + messageTokens(m), 0);

/** Messages grouped by turn: each turn starts at a human message (messages before the first form a turn of their own). */
export function splitTurns(messages: readonly BaseMessage[]): BaseMessage[][] {
  const turns: BaseMessage[][] = [];
  for (const m of messages) {
    if (m.getType() === 'human' || turns.length === 0) turns.push([m]);
    else turns[turns.length - 1]!.push(m);
  }
  return turns;
}

/** `text` on one line (whitespace collapsed), cut to at most `maxChars` characters. */
export function clip(text: string, maxChars = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat;
}

/** One folded turn as one summary line: what was asked, the start of the answer, the tools used. */
export function summariseTurn(turn: readonly BaseMessage[]): string {
  const asked = turn.find((m) => m.getType() === 'human');
  const answers = turn.filter((m): m is AIMessage => AIMessage.isInstance(m) && !m.tool_calls?.length);
  const tools = [...new Set(turn.flatMap((m) => (AIMessage.isInstance(m) ? (m.tool_calls ?? []).map((c) => c.name) : [])))];
  const answer = answers.length > 0 ? textOf(answers[answers.length - 1]!.content) : '';
  return `- asked: ${clip(asked ? unfence(textOf(asked.content)).data : '(nothing)', 200)}; answered: ${clip(answer || '(no answer)', 300)}${tools.length ? `; tools: ${tools.join(', ')}` : ''}`;
}

export interface FoldResult {
  /** Ids of the messages folded out of the state. */
  removeIds: string[];
  /** The new summary (old lines plus the folded turns, bounded). */
  summary: string;
  foldedTurns: number;
}

/**
 * Folds the oldest turns out of `messages` (every message must have an id) while the history is
 * above `historyBudget` tokens, always keeping the newest turn. Returns undefined when nothing folds.
 */
export function foldOldTurns(
  messages: readonly BaseMessage[],
  summary: string,
  historyBudget: number,
  summaryBudget: number,
): FoldResult | undefined {
  const turns = splitTurns(messages);
  let total = totalTokens(messages);
  const folded: BaseMessage[][] = [];
  while (turns.length > 1 && total > historyBudget) {
    const turn = turns.shift()!;
    total -= totalTokens(turn);
    folded.push(turn);
  }
  if (folded.length === 0) return undefined;
  const lines = [...summary.split('\n').filter((l) => l.startsWith('- ')), ...folded.map(summariseTurn)];
  return {
    removeIds: folded
      .flat()
      .map((m) => m.id!)
      .filter(Boolean),
    summary: boundSummary(lines, summaryBudget, summary),
    foldedTurns: folded.length,
  };
}

function boundSummary(lines: string[], maxTokens: number, previous: string): string {
  const dropped = Number(/^\((\d+) earlier turns? not shown\)/.exec(previous)?.[1] ?? 0);
  const kept: string[] = [];
  let tokens = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = estimateTokens(lines[i]!);
    if (tokens + t > maxTokens && kept.length > 0) break;
    kept.unshift(lines[i]!);
    tokens += t;
  }
  const notShown = dropped + lines.length - kept.length;
  return [...(notShown > 0 ? [`(${notShown} earlier turn${notShown === 1 ? '' : 's'} not shown)`] : []), ...kept].join('\n');
}

/** A tool result as the model reads it: fenced, its data clipped to `maxTokens`. */
export function toolResultContent(toolName: string, data: unknown, maxTokens: number): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return fenceUntrusted(`tool_result.${toolName}`, clipToTokens(text, maxTokens));
}

function clipToTokens(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  // estimateTokens counts ≥ 1 token per 3.5 characters: this many characters always fit.
  const keep = Math.max(0, Math.floor(maxTokens * 3.5) - 80);
  return `${text.slice(0, keep)} …[truncated: ${text.length - keep} more characters not shown]`;
}

/**
 * The messages of one model call within `budget` tokens (`fixed` = system prompt and summary):
 * tool results clipped oldest first (each down to `minToolTokens`), then older turns dropped; the
 * newest turn is always kept whole in structure (a tool call is never separated from its result).
 */
export function fitPrompt(messages: readonly BaseMessage[], fixed: number, budget: number, minToolTokens = 250): BaseMessage[] {
  let out = [...messages];
  let total = fixed + totalTokens(out);
  for (let i = 0; i < out.length && total > budget; i++) {
    const m = out[i]!;
    if (!ToolMessage.isInstance(m)) continue;
    const before = messageTokens(m);
    if (before <= minToolTokens) continue;
    const { label, data } = unfence(textOf(m.content));
    const target = Math.max(minToolTokens, before - (total - budget));
    const clipped = new ToolMessage({
      content: fenceUntrusted(label ?? 'tool_result', clipToTokens(data, target)),
      tool_call_id: m.tool_call_id,
      ...(m.name ? { name: m.name } : {}),
      ...(m.id ? { id: m.id } : {}),
    });
    out[i] = clipped;
    total += messageTokens(clipped) - before;
  }
  const turns = splitTurns(out);
  while (turns.length > 1 && total > budget) total -= totalTokens(turns.shift()!);
  out = turns.flat();
  return out;
}
