/**
 * Shared vocabulary of the deterministic diagnosis: the rule contract, workload identity, time,
 * confidence and action helpers. Pure functions only.
 */
import { SEVERITY_RANK, type Evidence, type Finding, type ProposedAction } from '../types.js';
import { workloadOf as workloadOfPod } from '../findings/series-utils.js';

/** What a rule matched: the findings it explains, its cause and how sure it is. */
export interface RuleMatch {
  /** Id of the rule that produced the match. */
  rule: string;
  cause: string;
  /** The findings the cause explains; every one of them is cited. Never empty. */
  findings: Finding[];
  /** In [0, 1]; see {@link confidenceOf}. */
  confidence: number;
  /** The workload (or PVC, service) the cause is about. */
  subject: Subject;
  /** What a human should do, in order (no control-plane endpoint needed). */
  advice: string[];
}

/** A deterministic diagnosis rule (k8sgpt-style analyser over findings). */
export interface Rule {
  id: string;
  /** A short description of the cause the rule recognises. */
  cause: string;
  /** Higher wins when two matches explain the same findings. */
  specificity: number;
  match(findings: readonly Finding[]): RuleMatch[];
  /** Actions for a match; `hypothesis` is the cited cause text. */
  actions(match: RuleMatch): ProposedAction[];
}

/** The object a cause is about. `name` is the workload, service or PVC name. */
export interface Subject {
  namespace: string | undefined;
  name: string;
  /** `deployment`, `statefulset`, `function`, `persistentvolumeclaim`, `service`, `pod` … */
  kind: string;
}

export function isProblem(f: Finding): boolean {
  return f.severity !== 'info';
}

/** The workload a pod belongs to, from its name (`cart-7d9f8b6c5d-x2x7q` → `cart`): the analysers' own parser. */
export const workloadFromPod = workloadOfPod;

/** The workload name of a finding: resource.workload, else derived from the pod, else service, else container. */
export function workloadOf(f: Finding): string | undefined {
  const r = f.resource;
  if (r.workload !== undefined) return r.workload;
  if (r.pod !== undefined) return workloadOfPod(r.pod);
  return r.service ?? r.container;
}

/** `namespace/workload` (or `/workload` without a namespace); undefined when the finding names no workload. */
export function workloadKey(f: Finding): string | undefined {
  const w = workloadOf(f);
  return w === undefined ? undefined : `${f.resource.namespace ?? ''}/${w}`;
}

/** Whether a finding concerns the given workload: same namespace (when both known) and same workload or service. */
export function sameTarget(a: Finding, b: Finding): boolean {
  const na = a.resource.namespace;
  const nb = b.resource.namespace;
  if (na !== undefined && nb !== undefined && na !== nb) return false;
  const names = (f: Finding): string[] => [workloadOf(f), f.resource.service].filter((x): x is string => typeof x === 'string');
  const an = names(a);
  return names(b).some((n) => an.includes(n));
}

/** Groups findings by `key`, groups and their members in first-seen order; an undefined key leaves the finding out. */
export function groupBy(findings: readonly Finding[], key: (f: Finding) => string | undefined): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = key(f);
    if (k === undefined) continue;
    const g = groups.get(k);
    if (g) g.push(f);
    else groups.set(k, [f]);
  }
  return groups;
}

/** Groups findings by {@link workloadKey}; findings without a workload are left out. */
export function groupByWorkload(findings: readonly Finding[]): Map<string, Finding[]> {
  return groupBy(findings, workloadKey);
}

export function ofKind(findings: readonly Finding[], ...kinds: Finding['kind'][]): Finding[] {
  return findings.filter((f) => kinds.includes(f.kind));
}

/** When a finding started, in ms: started_at, else its earliest evidence time; undefined when neither parses. */
export function startOf(f: Finding): number | undefined {
  if (f.started_at !== undefined) {
    const t = Date.parse(f.started_at);
    if (Number.isFinite(t)) return t;
  }
  let min: number | undefined;
  for (const e of f.evidence) {
    const t = Date.parse(e.time);
    if (Number.isFinite(t) && (min === undefined || t < min)) min = t;
  }
  return min;
}

const KINDS_OF_WORKLOAD = new Set(['deployment', 'statefulset', 'daemonset', 'function', 'application']);

/** The kind of a workload: `details.workload_kind` when a finding states a known one, else `deployment`. */
export function workloadKind(findings: readonly Finding[]): string {
  for (const f of findings) {
    const k = f.details['workload_kind'];
    if (typeof k === 'string' && KINDS_OF_WORKLOAD.has(k.toLowerCase())) return k.toLowerCase();
  }
  return 'deployment';
}

/** The subject of a group of findings about one workload (the first finding's namespace and workload). */
export function workloadSubject(findings: readonly Finding[]): Subject {
  const first = findings[0];
  const name = first ? (workloadOf(first) ?? first.id) : 'unknown';
  return { namespace: first?.resource.namespace, name, kind: workloadKind(findings) };
}

/** `shop/cart` or `cart`. */
export function label(s: Subject): string {
  return s.namespace ? `${s.namespace}/${s.name}` : s.name;
}

/**
 * Confidence from corroboration: a rule prior, plus the mean detector score, plus 0.1 per distinct
 * corroborating finding kind beyond the first, plus 0.05 when any is critical; capped at 0.6 for one
 * kind of signal, 0.8 for two, 0.9 for three or more (never 1.0). Rounded to two decimals.
 */
export function confidenceOf(findings: readonly Finding[], prior = 0.3): number {
  if (findings.length === 0) return 0;
  const kinds = new Set(findings.map((f) => f.kind));
  kinds.delete('deploy'); // context, not a symptom — counted through the rule's prior instead
  const n = Math.max(1, kinds.size);
  const mean = findings.reduce((s, f) => s + f.score, 0) / findings.length;
  const critical = findings.some((f) => f.severity === 'critical') ? 0.05 : 0;
  const raw = prior + 0.35 * mean + 0.1 * (n - 1) + critical;
  const cap = n >= 3 ? 0.9 : n === 2 ? 0.8 : 0.6;
  return Math.round(Math.min(cap, Math.max(0.05, raw)) * 100) / 100;
}

/** Evidence cited by a hypothesis: up to `perFinding` points of each finding (highest scores first), at most `max`, deduped. */
export function citeEvidence(findings: readonly Finding[], perFinding = 3, max = 12): Evidence[] {
  const out: Evidence[] = [];
  const seen = new Set<string>();
  const ordered = [...findings].sort(byImportance);
  for (const f of ordered) {
    for (const e of f.evidence.slice(0, perFinding)) {
      const k = `${e.series}\u0000${e.time}\u0000${e.value}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ ...e });
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** Most severe, then highest score, then id (deterministic). */
export function byImportance(a: Finding, b: Finding): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const TARGET_NAME = /^[A-Za-z0-9._-]+$/;

/** `kind/name` when the name is a valid target (see ProposedActionSchema), else undefined. */
export function target(kind: string, name: string): string | undefined {
  return TARGET_NAME.test(name) && name.length <= 253 ? `${kind}/${name}` : undefined;
}

export const HUMAN = 'HUMAN ACTION (no control-plane endpoint; apply it yourself):';

/** A proposed action for a subject, or none when the subject cannot be targeted (no namespace, invalid name). */
export function action(
  match: RuleMatch,
  type: ProposedAction['action_type'],
  risk: ProposedAction['risk'],
  reason: string,
  parameters: Record<string, unknown> = {},
  kind = match.subject.kind,
): ProposedAction[] {
  const t = target(kind, match.subject.name);
  if (t === undefined || match.subject.namespace === undefined) return [];
  const human = type === 'adjust_resources' || type === 'expand_volume';
  const cite = `Hypothesis "${match.cause}" (confidence ${match.confidence.toFixed(2)})`;
  return [
    {
      action_type: type,
      target_resource: t,
      namespace: match.subject.namespace,
      parameters,
      reason: human ? `${HUMAN} ${reason} — ${cite}.` : `${reason} — ${cite}.`,
      risk,
    },
  ];
}

/** The first finite number among `details[key]` of the findings. */
export function detailNumber(findings: readonly Finding[], ...keys: string[]): number | undefined {
  for (const key of keys) {
    for (const f of findings) {
      const v = f.details[key];
      if (typeof v === 'number' && Number.isFinite(v)) return v;
    }
  }
  return undefined;
}

/** The first non-empty string among `details[key]` of the findings. */
export function detailString(findings: readonly Finding[], ...keys: string[]): string | undefined {
  for (const key of keys) {
    for (const f of findings) {
      const v = f.details[key];
      if (typeof v === 'string' && v.length > 0) return v;
    }
  }
  return undefined;
}

/** Whether any finding is a problem (warning/critical); a match needs one. */
export function hasProblem(findings: readonly Finding[]): boolean {
  return findings.some(isProblem);
}

/** Unique by id, in order. */
export function uniq(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)));
}

/**
 * Scale a deployment up by one replica: `replicas` = current + 1 when a finding states the current count
 * (`details.replicas`), else `replicas_delta: 1` for the executor to resolve. Deployments only (the
 * control plane scales deployments).
 */
export function scaleUp(match: RuleMatch, reason: string): ProposedAction[] {
  if (match.subject.kind !== 'deployment') return [];
  const replicas = detailNumber(match.findings, 'replicas', 'desired_replicas');
  return action(
    match,
    'scale',
    'medium',
    reason,
    replicas !== undefined ? { replicas: Math.max(1, Math.round(replicas)) + 1 } : { replicas_delta: 1 },
  );
}
