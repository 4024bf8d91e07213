/**
 * What a chat answer cites and what the conversation is "about". Each tool reads its own answers
 * (its `evidence` and `subject`, tools/): here they are only gathered — the subject a follow-up
 * such as "restart it" refers to, checkpointed with the thread, and the evidence without duplicates.
 */
import type { EvidenceRef } from '../../src/chat/events.js';
import type { ResultSubject } from '../../tools/index.js';

/** The subject of the conversation, updated by tool results (checkpointed with the thread). */
export type Focus = ResultSubject;

export const EMPTY_FOCUS: Focus = { actions: [], resources: [], findingIds: [] };

/** Evidence without duplicates (same kind and ref), at most `max`. */
export function dedupeEvidence(list: readonly EvidenceRef[], max = 20): EvidenceRef[] {
  const seen = new Set<string>();
  const out: EvidenceRef[] = [];
  for (const e of list) {
    const key = `${e.kind}\u0000${e.ref}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}
