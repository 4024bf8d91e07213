/**
 * The conversation graph's state, checkpointed per thread (PostgreSQL or SQLite, like the analysis
 * graph), so a thread continues on any replica. `messages` is what the model reads (user text and
 * tool results fenced as untrusted data; older turns folded into `summary`); `transcript` is what
 * people read back (GET …/threads/{id}). The identity of the caller is NOT state: it travels in
 * `config.configurable.turn` on every turn; `workspaceId` and `owner` record who the thread belongs to.
 */
import type { BaseMessage } from '@langchain/core/messages';
import { Annotation, messagesStateReducer, type Messages } from '@langchain/langgraph';
import type { Answer, EvidenceRef, ToolResultStatus } from '../../src/chat/events.js';
import { EMPTY_FOCUS, type Focus } from './evidence.js';
import type { RemediationStatus } from '../../src/chat/remediation-port.js';

export interface ToolActivity {
  id: string;
  name: string;
  args: unknown;
  status: ToolResultStatus;
  summary: string;
}

export interface TranscriptEntry {
  role: 'user' | 'assistant';
  content: string;
  at: string;
  tool_calls?: ToolActivity[];
}

export interface PendingRemediation {
  id: string;
  description: string;
  status: RemediationStatus;
  at: string;
}

/** Most transcript entries kept per thread (the oldest are dropped beyond it). */
export const MAX_TRANSCRIPT = 400;

const replace = <T>(fallback: () => T) => Annotation<T>({ reducer: (_old: T, next: T) => next, default: fallback });

export const ChatStateAnnotation = Annotation.Root({
  /** The workspace the thread belongs to (from the verified token of its first turn). */
  workspaceId: Annotation<string>(),
  /** The token subject the thread belongs to. */
  owner: Annotation<string>(),
  /** The new user message of this turn (graph input; consumed by intake). */
  incoming: replace<{ text: string; at: string } | null>(() => null),
  /** The model's context: fenced user messages, model messages, fenced tool results. */
  messages: Annotation<BaseMessage[], Messages>({ reducer: messagesStateReducer, default: () => [] }),
  /** Extractive summary of the turns folded out of `messages`. */
  summary: replace<string>(() => ''),
  /** The readable history. */
  transcript: Annotation<TranscriptEntry[]>({ reducer: (old, next) => old.concat(next).slice(-MAX_TRANSCRIPT), default: () => [] }),
  /** This turn: the user's text (raw), model calls so far, tool activity and evidence gathered. */
  turnText: replace<string>(() => ''),
  steps: replace<number>(() => 0),
  activity: replace<ToolActivity[]>(() => []),
  evidence: replace<EvidenceRef[]>(() => []),
  /** Whether the answer text of this turn already went out as streamed tokens. */
  answerStreamed: replace<boolean>(() => false),
  /** Set when the model was unreachable at the first step: the turn is answered deterministically instead. */
  llmError: replace<string | null>(() => null),
  /** The answer of the latest turn. */
  answer: replace<Answer | null>(() => null),
  /** What the conversation is about (for "restart it"). */
  focus: replace<Focus>(() => EMPTY_FOCUS),
  /** Remediations proposed in this thread, newest last. */
  pending: replace<PendingRemediation[]>(() => []),
});

export type ChatState = typeof ChatStateAnnotation.State;
export type ChatUpdate = typeof ChatStateAnnotation.Update;
