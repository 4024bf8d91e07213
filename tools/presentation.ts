/**
 * How tool answers are presented: `present` reads any answer through its tool's own `summarize`,
 * `evidence` and `subject`, and the helpers below are the pieces the tools that answer findings
 * share (a finding cited by id and title with its first evidence point, the resources a list of
 * findings is about). Pure functions of the answer.
 */
import type { Evidence, Finding, ProposedAction } from '../src/analysis/types.js';
import type { EvidenceRef } from '../src/chat/events.js';
import type { ResultSubject, ToolDefinition, ToolResult } from './tool.js';

/** An answer as its tool presents it. */
export interface ToolPresentation {
  /** One line: what an `ok` answer holds, `no data: …`, or the refusal or failure message. */
  summary: string;
  /** What an answer may cite (only `ok` answers carry any). */
  evidence: EvidenceRef[];
  subject?: ResultSubject;
}

/** `def` is absent only for an unknown tool, whose answer is an error: statuses other than `ok` read the same for every tool. */
export function present(def: ToolDefinition | undefined, result: ToolResult): ToolPresentation {
  if (result.status === 'no_data') return { summary: `no data: ${result.message}`, evidence: [] };
  if (result.status !== 'ok') return { summary: result.message, evidence: [] };
  if (!def) throw new Error('an ok answer without its tool');
  try {
    const subject = def.subject?.(result.data);
    return { summary: def.summarize(result.data), evidence: def.evidence?.(result.data) ?? [], ...(subject ? { subject } : {}) };
  } catch {
    // A cached answer is not checked again and may come from another version of the service (the cache is shared).
    return { summary: `${def.name} answered`, evidence: [] };
  }
}

/** A finding as the findings tools answer it (diagnose_workspace answers the first fields only). */
type FindingView = Pick<Finding, 'id' | 'severity' | 'title' | 'resource' | 'evidence'>;

/** How many findings an answer cites when no hypothesis explains them. */
const MAX_CITED_FINDINGS = 5;

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

export function seriesEvidence(e: Evidence): EvidenceRef {
  return { kind: 'series', ref: e.series, description: `${e.shown ?? fmt(e.value)} at ${e.time}: ${e.why}` };
}

/** The most severe findings, each by id and title with its first evidence point. */
export function findingsEvidence(findings: readonly FindingView[]): EvidenceRef[] {
  return findings
    .slice(0, MAX_CITED_FINDINGS)
    .flatMap((f) => [
      { kind: 'finding', ref: f.id, description: `${f.severity ? `${f.severity}: ` : ''}${f.title}` },
      ...f.evidence.slice(0, 1).map(seriesEvidence),
    ]);
}

/** `3 finding(s), first: …` */
export function findingsSummary(count: number, findings: readonly Pick<Finding, 'title'>[]): string {
  const first = findings[0];
  return `${count} finding(s)${first?.title ? `, first: ${first.title}` : ''}`;
}

/** The resources of the problems (warning or worse; of every finding when there is none) and the proposed actions. */
export function findingsSubject(findings: readonly FindingView[], proposed: readonly ProposedAction[] = []): ResultSubject | undefined {
  const actions = proposed.slice(0, 5);
  const problems = findings.filter((f) => f.severity !== 'info');
  const about = problems.length > 0 ? problems : findings;
  const resources = about
    .map((f) => f.resource)
    .filter((r) => !!r)
    .slice(0, 10);
  if (actions.length === 0 && resources.length === 0) return undefined;
  return { actions, resources, findingIds: about.map((f) => f.id).slice(0, 10) };
}
