/**
 * Deterministic diagnosis (the no-LLM path): rules over findings → hypotheses that cite the findings'
 * evidence, most likely first, plus valid proposed actions. When two rules explain the same findings the
 * more specific one wins (dedupe by finding id).
 */
import {
  DiagnosisSchema,
  FindingSchema,
  ProposedActionSchema,
  type AnalysisType,
  type Diagnosis,
  type Finding,
  type Hypothesis,
  type ProposedAction,
} from '../types.js';
import { citeEvidence, isProblem, label, type Rule, type RuleMatch } from './common.js';
import { RULES } from './rules/index.js';

export interface DiagnoseContext {
  analysisType: AnalysisType;
  /** Unix seconds or RFC 3339. */
  window: { start: number | string; end: number | string };
}

export interface DiagnoseResult {
  diagnosis: Diagnosis;
  proposedActions: ProposedAction[];
  /** Rule id per hypothesis (same order), for tracing and tests. */
  rules: string[];
}

export interface DiagnoseOptions {
  rules?: readonly Rule[];
  /** Most hypotheses reported (the rest are counted in the summary). */
  maxHypotheses?: number;
}

const MAX_RECOMMENDED = 30;

function iso(t: number | string): string {
  if (typeof t === 'string') return t;
  const d = new Date(t * 1000);
  return Number.isFinite(d.getTime()) ? d.toISOString() : String(t);
}

interface Scored {
  match: RuleMatch;
  rule: Rule;
}

/** Picks the matches to keep: most specific first, then most confident; a match sharing a finding with a kept one is dropped. */
export function selectMatches(candidates: readonly Scored[]): Scored[] {
  const ordered = [...candidates].sort(
    (a, b) => b.rule.specificity - a.rule.specificity || b.match.confidence - a.match.confidence || cmp(a.match.cause, b.match.cause),
  );
  const claimed = new Set<string>();
  const kept: Scored[] = [];
  for (const c of ordered) {
    if (c.match.findings.some((f) => claimed.has(f.id))) continue;
    for (const f of c.match.findings) claimed.add(f.id);
    kept.push(c);
  }
  return kept.sort(
    (a, b) => b.match.confidence - a.match.confidence || b.rule.specificity - a.rule.specificity || cmp(a.match.cause, b.match.cause),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function diagnose(findings: readonly Finding[], context: DiagnoseContext, options: DiagnoseOptions = {}): DiagnoseResult {
  const rules = options.rules ?? RULES;
  const maxHypotheses = options.maxHypotheses ?? 25;
  // Only well-formed findings take part (an analyser bug must not turn into an invented claim).
  const valid = findings.filter((f) => FindingSchema.safeParse(f).success);
  const problems = valid.filter(isProblem);
  const window = `${iso(context.window.start)} – ${iso(context.window.end)}`;

  if (problems.length === 0) {
    const diagnosis = DiagnosisSchema.parse({
      summary: `No warning or critical findings in the ${context.analysisType} analysis of ${window}: nothing is wrong${valid.length > 0 ? ` (${valid.length} informational finding${valid.length === 1 ? '' : 's'})` : ''}.`,
      hypotheses: [],
      impact: 'None.',
      recommended_actions: [],
    });
    return { diagnosis, proposedActions: [], rules: [] };
  }

  const candidates: Scored[] = [];
  for (const rule of rules) {
    for (const match of rule.match(valid)) {
      if (match.findings.length === 0 || !match.findings.some(isProblem)) continue;
      candidates.push({ match, rule });
    }
  }
  const selected = selectMatches(candidates);
  const kept = selected.slice(0, maxHypotheses);

  const hypotheses: Hypothesis[] = [];
  const ruleIds: string[] = [];
  const actions: ProposedAction[] = [];
  const actionKeys = new Set<string>();
  const recommended: string[] = [];
  for (const { match, rule } of kept) {
    const evidence = citeEvidence(match.findings);
    if (evidence.length === 0) continue; // no evidence, no hypothesis
    hypotheses.push({ cause: match.cause, confidence: match.confidence, evidence, finding_ids: match.findings.map((f) => f.id) });
    ruleIds.push(rule.id);
    for (const a of rule.actions(match)) {
      const parsed = ProposedActionSchema.safeParse(a);
      if (!parsed.success) continue;
      const key = `${a.action_type}|${a.namespace ?? ''}|${a.target_resource}`;
      if (actionKeys.has(key)) continue;
      actionKeys.add(key);
      actions.push(parsed.data);
    }
    for (const step of match.advice) if (!recommended.includes(step) && recommended.length < MAX_RECOMMENDED) recommended.push(step);
  }

  const critical = problems.filter((f) => f.severity === 'critical').length;
  const top = hypotheses[0];
  const more = selected.length - kept.length;
  const summary = [
    `${problems.length} warning/critical finding${problems.length === 1 ? '' : 's'} (${critical} critical) in the ${context.analysisType} analysis of ${window}`,
    `explained by ${hypotheses.length} hypothes${hypotheses.length === 1 ? 'is' : 'es'}${more > 0 ? ` (+${more} lower-ranked not listed)` : ''}.`,
    top ? `Most likely: ${top.cause} (confidence ${top.confidence.toFixed(2)}).` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const affected = [...new Set(kept.map(({ match }) => label(match.subject)))];
  const impact = `${affected.length} affected resource${affected.length === 1 ? '' : 's'}: ${affected.slice(0, 10).join(', ')}${affected.length > 10 ? ` and ${affected.length - 10} more` : ''}; ${critical} critical finding${critical === 1 ? '' : 's'}.`;

  const diagnosis = DiagnosisSchema.parse({ summary, hypotheses, impact, recommended_actions: recommended });
  return { diagnosis, proposedActions: actions, rules: ruleIds };
}
