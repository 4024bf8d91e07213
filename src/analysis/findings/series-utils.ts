/**
 * Shared helpers of the findings analysers: series identity (catalog name plus resource labels),
 * the Kubernetes resource a series is about, evidence points, robust statistics and finding assembly.
 */
import { median, quantile } from '../../analytics/forecast/stats.js';
import { formatValue, subjectOf, unitOf } from '../readable.js';
import type { Evidence, Finding, FindingKind, ResourceRef, SeriesData, Severity } from '../types.js';

/** The analysers' quantiles are the analytics library's (type 7 over the finite values, NaN when none). */
export { median, quantile };

/** Labels shown in a series id, in this order; the tenant label and `__name__` are never shown. */
const ID_LABELS = ['namespace', 'pod', 'container', 'service', 'persistentvolumeclaim', 'resource', 'phase', 'image'];

export function seriesId(s: SeriesData): string {
  const parts = ID_LABELS.filter((k) => s.labels[k] !== undefined).map((k) => `${k}="${s.labels[k]}"`);
  return `${s.query}{${parts.join(',')}}`;
}

/** `api-7d9f8c6b5d-x2x9z` → `api` (Deployment pods), `postgres-0` → `postgres` (StatefulSet), else the pod name. */
export function workloadOf(pod: string): string {
  const parts = pod.split('-');
  const last = parts[parts.length - 1] ?? '';
  const hash = parts[parts.length - 2] ?? '';
  if (parts.length >= 3 && last.length === 5 && hash.length >= 6 && hash.length <= 10) return parts.slice(0, -2).join('-');
  if (parts.length >= 2 && /^\d+$/.test(last)) return parts.slice(0, -1).join('-');
  return pod;
}

/** The pod-template hash of a Deployment pod name, when it has one. */
export function templateHashOf(pod: string): string | undefined {
  const parts = pod.split('-');
  if (parts.length < 3 || workloadOf(pod) === pod) return undefined;
  return parts[parts.length - 2];
}

export function resourceOf(labels: Record<string, string>): ResourceRef {
  const r: ResourceRef = {};
  if (labels.namespace) r.namespace = labels.namespace;
  if (labels.pod) {
    r.pod = labels.pod;
    r.workload = workloadOf(labels.pod);
  }
  if (labels.container) r.container = labels.container;
  if (labels.service) {
    r.service = labels.service;
    r.workload ??= labels.service;
  }
  if (labels.persistentvolumeclaim) r.persistentvolumeclaim = labels.persistentvolumeclaim;
  return r;
}

/** Identity of a container for joining series of different queries: `namespace/pod/container`. */
export function containerKey(labels: Record<string, string>): string {
  return `${labels.namespace ?? ''}/${labels.pod ?? ''}/${labels.container ?? ''}`;
}

export function podKey(labels: Record<string, string>): string {
  return `${labels.namespace ?? ''}/${labels.pod ?? ''}`;
}

export function rfc3339(unixSeconds: number): string {
  return new Date(Math.round(unixSeconds * 1000)).toISOString().replace('.000Z', 'Z');
}

export function evidenceAt(s: SeriesData, i: number, why: string): Evidence {
  const value = round(s.values[i] ?? Number.NaN);
  return {
    series: seriesId(s),
    time: rfc3339(s.times[i] ?? 0),
    value,
    why,
    shown: `${formatValue(value, unitOf(s.query))} — ${subjectOf(s.labels)}`,
  };
}

export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return 0;
  const scale = 10 ** Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}

export function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

export function groupByQuery(series: readonly SeriesData[]): Map<string, SeriesData[]> {
  const out = new Map<string, SeriesData[]>();
  for (const s of series) {
    const list = out.get(s.query) ?? [];
    list.push(s);
    out.set(s.query, list);
  }
  return out;
}

/** Index of the largest finite value (−1 when none). */
export function argMax(values: readonly number[], from = 0): number {
  let best = -1;
  for (let i = from; i < values.length; i++) {
    if (Number.isFinite(values[i]!) && (best < 0 || values[i]! > values[best]!)) best = i;
  }
  return best;
}

/** First index from which `pred` holds for every later sample (−1 if it does not hold at the end). */
export function sustainedSince(values: readonly number[], pred: (v: number) => boolean): number {
  let i = values.length;
  while (i > 0 && pred(values[i - 1]!)) i--;
  return i === values.length ? -1 : i;
}

/** Longest run of consecutive samples for which `pred` holds: its start index and length. */
export function longestRun(values: readonly number[], pred: (v: number) => boolean): { start: number; length: number } {
  let best = { start: -1, length: 0 };
  let start = -1;
  for (let i = 0; i <= values.length; i++) {
    const ok = i < values.length && pred(values[i]!);
    if (ok && start < 0) start = i;
    if (!ok && start >= 0) {
      if (i - start > best.length) best = { start, length: i - start };
      start = -1;
    }
  }
  return best;
}

/** Baseline (the first third of the window) and recent (the last tenth, at least 5 samples) slices. */
export function baselineAndRecent(s: SeriesData): { baseline: number[]; recent: number[]; recentFrom: number } {
  const n = s.values.length;
  const baselineEnd = Math.max(1, Math.floor(n / 3));
  const recentFrom = Math.max(baselineEnd, n - Math.max(5, Math.floor(n / 10)));
  return { baseline: s.values.slice(0, baselineEnd), recent: s.values.slice(recentFrom), recentFrom };
}

/** Typical sampling step of a series in seconds (median of the time deltas). */
export function stepOf(s: SeriesData): number {
  const deltas: number[] = [];
  for (let i = 1; i < s.times.length; i++) deltas.push(s.times[i]! - s.times[i - 1]!);
  return deltas.length > 0 ? median(deltas) : 60;
}

export interface FindingInput {
  kind: FindingKind;
  severity: Severity;
  title: string;
  resource: ResourceRef;
  score: number;
  evidence: Evidence[];
  started_at?: string;
  details?: Record<string, unknown>;
  /** Distinguishes several findings of one kind on one resource (e.g. cpu vs memory). */
  idSuffix?: string;
}

export function makeFinding(f: FindingInput): Finding {
  const r = f.resource;
  const where = [r.namespace, r.workload ?? r.service, r.pod, r.container, r.persistentvolumeclaim].filter(Boolean).join('/');
  return {
    id: `${f.kind}:${where}${f.idSuffix ? `:${f.idSuffix}` : ''}`,
    kind: f.kind,
    severity: f.severity,
    title: f.title,
    resource: f.resource,
    score: Math.min(1, Math.max(0, Number.isFinite(f.score) ? f.score : 0)),
    ...(f.started_at ? { started_at: f.started_at } : {}),
    evidence: f.evidence,
    details: f.details ?? {},
  };
}
