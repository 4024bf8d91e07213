/**
 * The workspace's alerts: Prometheus's active alerts plus the service's own anomaly alerts,
 * deduplicated by fingerprint (the identity of an alert: its name and labels, values excluded).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { PromAlert } from '../clients/prometheus.js';
import { SEVERITY_RANK, SeveritySchema, type Finding, type Severity } from './types.js';

export const AlertSchema = z.object({
  fingerprint: z.string(),
  source: z.enum(['prometheus', 'aiops']),
  name: z.string(),
  severity: SeveritySchema,
  state: z.enum(['firing', 'pending']),
  started_at: z.string().nullable(),
  summary: z.string(),
  labels: z.record(z.string(), z.string()),
});
export type Alert = z.infer<typeof AlertSchema>;

export function fingerprint(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return createHash('sha256')
    .update(JSON.stringify([name, sorted]))
    .digest('hex')
    .slice(0, 16);
}

/** Findings that describe a change or an opportunity, not a condition to alert on. */
const NOT_ALERTS: ReadonlySet<Finding['kind']> = new Set(['deploy', 'rightsizing']);

/** Prometheus's active alerts plus the warning/critical findings that are conditions (not deploys or right-sizing), deduplicated. */
export function mergeAlerts(prometheus: readonly PromAlert[], findings: readonly Finding[]): Alert[] {
  const byFingerprint = new Map<string, Alert>();
  for (const a of prometheus) {
    if (a.state === 'inactive') continue;
    const { alertname = 'unnamed', ...labels } = a.labels;
    const fp = fingerprint(alertname, labels);
    const severity = SeveritySchema.safeParse(a.labels.severity).success ? (a.labels.severity as Severity) : 'warning';
    const alert: Alert = {
      fingerprint: fp,
      source: 'prometheus',
      name: alertname,
      severity,
      state: a.state,
      started_at: a.activeAt ?? null,
      summary: a.annotations.summary ?? a.annotations.description ?? alertname,
      labels,
    };
    const seen = byFingerprint.get(fp);
    // Replicated Prometheus pairs send the same alert twice: keep the firing/earliest one.
    if (!seen || (seen.state === 'pending' && alert.state === 'firing')) byFingerprint.set(fp, alert);
  }
  for (const f of findings) {
    if (f.severity === 'info' || NOT_ALERTS.has(f.kind)) continue;
    const labels = Object.fromEntries(Object.entries(f.resource).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const name = `AIOps${f.kind.replace(/(^|_)(\w)/g, (_m, _s, c: string) => c.toUpperCase())}`;
    const fp = fingerprint(name, labels);
    if (byFingerprint.has(fp)) continue;
    byFingerprint.set(fp, {
      fingerprint: fp,
      source: 'aiops',
      name,
      severity: f.severity,
      state: 'firing',
      started_at: f.started_at ?? null,
      summary: f.title,
      labels,
    });
  }
  return [...byFingerprint.values()].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.name.localeCompare(b.name));
}
