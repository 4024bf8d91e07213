/**
 * Evidence compaction for the LLM path: the most important findings, each reduced to its salient points,
 * as JSON lines under a conservative token budget (whatever the number of findings). Deterministic.
 */
import type { Finding } from '../types.js';
import { byImportance } from './common.js';

export interface CompactOptions {
  /** Budget of the whole text, in estimated tokens. Default 4000. */
  maxTokens?: number;
  /** Evidence points per finding (≤ 3). */
  evidencePerFinding?: number;
}

export interface CompactResult {
  text: string;
  included: number;
  omitted: number;
  estimatedTokens: number;
}

const MAX_STR = 120;
const MAX_DETAILS = 5;

/**
 * Conservative token estimate: ASCII at 3.5 characters per token, any other character (CJK, emoji, …)
 * one token each.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3.5 + other);
}

function clip(s: string, n = MAX_STR): string {
  // Control characters removed (they only add tokens); long values cut.
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > n ? `${clean.slice(0, n - 1)}…` : clean;
}

function num(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : v;
}

function resourceOf(f: Finding): string {
  const r = f.resource;
  const parts: string[] = [];
  if (r.namespace) parts.push(`ns=${r.namespace}`);
  if (r.workload) parts.push(`workload=${r.workload}`);
  if (r.pod) parts.push(`pod=${r.pod}`);
  if (r.container) parts.push(`container=${r.container}`);
  if (r.service) parts.push(`service=${r.service}`);
  if (r.persistentvolumeclaim) parts.push(`pvc=${r.persistentvolumeclaim}`);
  return clip(parts.join(','), 200);
}

function detailsOf(f: Finding): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const key of Object.keys(f.details).sort()) {
    if (Object.keys(out).length >= MAX_DETAILS) break;
    const v = f.details[key];
    if (typeof v === 'number') out[clip(key, 40)] = num(v);
    else if (typeof v === 'boolean') out[clip(key, 40)] = v;
    else if (typeof v === 'string') out[clip(key, 40)] = clip(v, 60);
  }
  return out;
}

/** One finding as one JSON line with its salient points. */
export function summariseFinding(f: Finding, evidencePerFinding = 3): string {
  const ev = f.evidence
    .slice(0, Math.min(3, Math.max(0, evidencePerFinding)))
    .map((e) => [clip(e.series), e.time, num(e.value), clip(e.why, 100)]);
  const line: Record<string, unknown> = {
    id: clip(f.id, 160),
    kind: f.kind,
    sev: f.severity,
    score: num(f.score),
    res: resourceOf(f),
    title: clip(f.title),
  };
  if (f.started_at) line['start'] = clip(f.started_at, 40);
  line['ev'] = ev;
  const d = detailsOf(f);
  if (Object.keys(d).length > 0) line['d'] = d;
  return JSON.stringify(line);
}

function footer(omitted: readonly Finding[]): string {
  const byKind: Record<string, number> = {};
  for (const f of omitted) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  const sorted = Object.fromEntries(Object.entries(byKind).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify({ omitted: omitted.length, by_kind: sorted });
}

/**
 * Top-k findings by severity, then score, then id, as JSON lines; a last line counts what was left out.
 * `estimateTokens(text) === estimatedTokens ≤ maxTokens` always holds.
 */
export function compactFindings(findings: readonly Finding[], options: CompactOptions = {}): CompactResult {
  const maxTokens = Math.max(0, Math.floor(options.maxTokens ?? 4000));
  const ordered = [...findings].sort(byImportance);
  // Worst-case footer: every finding kind with a large count.
  const reserve = estimateTokens(footer(ordered)) + 40;
  const lines: string[] = [];
  let used = 0;
  for (const f of ordered) {
    const line = summariseFinding(f, options.evidencePerFinding);
    const cost = estimateTokens(`${line}\n`);
    if (used + cost + reserve > maxTokens) break; // top-k: a prefix of the ranking
    lines.push(line);
    used += cost;
  }
  // Safety net (tiny budgets): drop lines until the text fits.
  while (lines.length > 0 && estimateTokens(lines.join('\n')) > maxTokens) lines.pop();
  const rest = ordered.slice(lines.length);
  let text = lines.join('\n');
  if (rest.length > 0) {
    const foot = footer(rest);
    const withFoot = text.length > 0 ? `${text}\n${foot}` : foot;
    if (estimateTokens(withFoot) <= maxTokens) text = withFoot;
  }
  const included = lines.length;
  return { text, included, omitted: ordered.length - included, estimatedTokens: estimateTokens(text) };
}
