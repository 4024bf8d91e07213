/**
 * What a chat answer cites and what the conversation is "about", read from tool results: findings
 * (id, title) and their evidence points (series, time, value), queries (catalog name or the
 * enforced PromQL), alerts, remediations; and the resources and proposed actions a follow-up such
 * as "restart it" refers to. Pure functions of the tool results.
 */
import type { Finding, ProposedAction, ResourceRef } from '../../src/analysis/types.js';
import type { EvidenceRef } from '../../src/chat/events.js';

/** The subject of the conversation, updated by tool results (checkpointed with the thread). */
export interface Focus {
  /** Actions the analysis proposed for what was discussed, most relevant first. */
  actions: ProposedAction[];
  /** Resources the latest results were about, most severe first. */
  resources: ResourceRef[];
  findingIds: string[];
}

export const EMPTY_FOCUS: Focus = { actions: [], resources: [], findingIds: [] };

type ResultLike = { status: string; data?: unknown; message?: string };

interface FindingLike {
  id: string;
  title: string;
  severity?: string;
  resource?: ResourceRef;
  evidence?: { series: string; time: string; value: number; why: string }[];
}

interface HypothesisLike {
  cause: string;
  evidence: { series: string; time: string; value: number; why: string }[];
  finding_ids: string[];
}

const MAX_FINDINGS = 5;

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

function seriesEvidence(e: { series: string; time: string; value: number; why: string }): EvidenceRef {
  return { kind: 'series', ref: e.series, description: `${fmt(e.value)} at ${e.time}: ${e.why}` };
}

function findingEvidence(f: FindingLike): EvidenceRef[] {
  return [
    { kind: 'finding', ref: f.id, description: `${f.severity ? `${f.severity}: ` : ''}${f.title}` },
    ...(f.evidence ?? []).slice(0, 1).map(seriesEvidence),
  ];
}

function dataOf(result: ResultLike): Record<string, unknown> | undefined {
  return result.status === 'ok' && result.data && typeof result.data === 'object' ? (result.data as Record<string, unknown>) : undefined;
}

function findingsOf(data: Record<string, unknown> | undefined): FindingLike[] {
  const list = data?.findings;
  return Array.isArray(list) ? (list as FindingLike[]).filter((f) => f && typeof f.id === 'string' && typeof f.title === 'string') : [];
}

/** Evidence a tool result provides, most important first. */
export function evidenceFromResult(tool: string, result: ResultLike): EvidenceRef[] {
  const data = dataOf(result);
  if (!data) return [];
  const out: EvidenceRef[] = [];
  const hypotheses = ((data.diagnosis as { hypotheses?: HypothesisLike[] } | undefined)?.hypotheses ?? []).slice(0, 3);
  for (const h of hypotheses) {
    for (const id of h.finding_ids.slice(0, 2)) out.push({ kind: 'finding', ref: id, description: h.cause });
    for (const e of h.evidence.slice(0, 2)) out.push(seriesEvidence(e));
  }
  if (hypotheses.length === 0) for (const f of findingsOf(data).slice(0, MAX_FINDINGS)) out.push(...findingEvidence(f));
  if (typeof data.enforced_query === 'string')
    out.push({
      kind: 'query',
      ref: data.enforced_query,
      description: `${String(data.query ?? tool)} (${String(data.mode ?? '')}), ${String(data.total_series ?? 0)} series`,
    });
  if (Array.isArray(data.queries))
    for (const q of (data.queries as string[]).slice(0, 8))
      out.push({ kind: 'query', ref: q, description: `catalog query read by ${tool}` });
  if (Array.isArray(data.alerts)) {
    for (const a of (data.alerts as { name?: string; state?: string; annotations?: Record<string, string>; summary?: string }[]).slice(
      0,
      5,
    )) {
      out.push({
        kind: 'alert',
        ref: String(a.name ?? 'alert'),
        description: `${a.state ?? 'active'}: ${a.summary ?? a.annotations?.summary ?? a.annotations?.description ?? ''}`.slice(0, 300),
      });
    }
  }
  return out;
}

/** The conversation's subject after a tool result, or undefined when the result says nothing about one. */
export function focusFromResult(result: ResultLike): Focus | undefined {
  const data = dataOf(result);
  if (!data) return undefined;
  const actions = Array.isArray(data.proposed_actions) ? (data.proposed_actions as ProposedAction[]).slice(0, 5) : [];
  const findings = findingsOf(data) as (FindingLike & Partial<Finding>)[];
  const problems = findings.filter((f) => f.severity !== 'info');
  const resources = (problems.length > 0 ? problems : findings)
    .map((f) => f.resource)
    .filter((r): r is ResourceRef => !!r)
    .slice(0, 10);
  if (actions.length === 0 && resources.length === 0) return undefined;
  return { actions, resources, findingIds: (problems.length > 0 ? problems : findings).map((f) => f.id).slice(0, 10) };
}

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
