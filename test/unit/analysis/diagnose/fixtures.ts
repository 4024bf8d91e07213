import type { Finding, FindingKind, ResourceRef, Severity } from '../../../../src/analysis/types.js';

export const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
export const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
export const CONTEXT = { analysisType: 'performance' as const, window: { start: T0 / 1000 - 3600, end: T0 / 1000 + 3600 } };

interface Opts {
  severity?: Severity;
  score?: number;
  minute?: number;
  details?: Record<string, unknown>;
  id?: string;
  series?: string;
  value?: number;
}

/** A hand-built finding with two evidence points on a plausible catalog series. */
export function finding(kind: FindingKind, resource: ResourceRef, o: Opts = {}): Finding {
  const minute = o.minute ?? 0;
  const who = resource.persistentvolumeclaim ?? resource.pod ?? resource.workload ?? resource.service ?? 'x';
  const series = o.series ?? `${kind}_series{namespace="${resource.namespace ?? ''}",target="${who}"}`;
  return {
    id: o.id ?? `${kind}:${resource.namespace ?? ''}/${who}`,
    kind,
    severity: o.severity ?? 'warning',
    title: `${kind} on ${who}`,
    resource,
    score: o.score ?? 0.8,
    started_at: at(minute),
    evidence: [
      { series, time: at(minute), value: o.value ?? 0.9, why: `${kind} started` },
      { series, time: at(minute + 5), value: (o.value ?? 0.9) * 1.1, why: `${kind} persists` },
    ],
    details: o.details ?? {},
  };
}

export const shop = (workload: string, extra: ResourceRef = {}): ResourceRef => ({ namespace: 'shop', workload, ...extra });
