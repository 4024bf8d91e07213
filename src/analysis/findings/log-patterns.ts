/**
 * Log analysers over the window's error templates (log_patterns: Drain over this window and the one
 * before): an error template that is new (≥ NEW_MIN lines) or surging (≥ SURGE_RATIO × before, ≥
 * SURGE_MIN lines) is a finding of the workload it comes from, classed by what it says — a dependency
 * that refuses or times out, a configuration error, or plain errors — citing the template with its count
 * and one example line (untrusted text, cut). Routine or steady errors are no finding.
 */
import { oneLine } from '../readable.js';
import type { Evidence, Finding, Severity } from '../types.js';

/** One template as the log_patterns tool answers it. */
export interface LogPatternRecord {
  template: string;
  count: number;
  previous_count: number;
  new: boolean;
  surge_ratio: number | null;
  first_seen: string;
  last_seen: string;
  max_severity: string;
  workloads: string[];
  example: string;
}

export const NEW_MIN = 5;
export const SURGE_RATIO = 5;
export const SURGE_MIN = 10;
const CRITICAL_COUNT = 50;

export type LogCategory = 'dependency' | 'config' | 'errors';

/** What a template says, most telling first (the first phrase found names the symptom). */
const DEPENDENCY = [
  'connection refused',
  'econnrefused',
  'econnreset',
  'no such host',
  'connection timed out',
  'connect timed out',
  'connection reset',
  'deadline exceeded',
  'no route to host',
  'broken pipe',
  'timed out',
  'timeout',
  'unavailable',
  'dial tcp',
] as const;
const CONFIG = [
  'not set',
  'undefined variable',
  'permission denied',
  'no such file',
  'unknown flag',
  'unknown option',
  'parse error',
  'missing',
  'not found',
  'invalid',
  'config',
] as const;

const phraseIn = (template: string, phrases: readonly string[]) => {
  const t = template.toLowerCase();
  return phrases.find((p) => t.includes(p));
};

export function logCategory(template: string): LogCategory {
  if (phraseIn(template, DEPENDENCY)) return 'dependency';
  if (phraseIn(template, CONFIG)) return 'config';
  return 'errors';
}

/**
 * The phrase that classed a template (`connection refused`, `not set`): words of our own lists, so a
 * cause can name it without quoting a log line (attacker-writable text stays in the evidence, as data).
 */
export function logSymptom(template: string): string | undefined {
  return phraseIn(template, DEPENDENCY) ?? phraseIn(template, CONFIG);
}

const isError = (p: LogPatternRecord) => p.max_severity === 'ERROR' || p.max_severity === 'FATAL';
const notable = (p: LogPatternRecord) =>
  isError(p) && ((p.new && p.count >= NEW_MIN) || (p.surge_ratio !== null && p.surge_ratio >= SURGE_RATIO && p.count >= SURGE_MIN));

export function logPatternFindings(patterns: readonly LogPatternRecord[]): Finding[] {
  const byWorkload = new Map<string, LogPatternRecord[]>();
  for (const p of patterns) {
    if (!notable(p)) continue;
    const w = p.workloads[0] ?? 'unknown';
    byWorkload.set(w, [...(byWorkload.get(w) ?? []), p]);
  }
  const out: Finding[] = [];
  for (const [workloadKey, ps] of byWorkload) {
    const [namespace, workload] = workloadKey.includes('/') ? (workloadKey.split('/', 2) as [string, string]) : [undefined, workloadKey];
    const top = [...ps].sort((a, b) => b.count - a.count);
    const lead = top[0]!;
    const category = logCategory(lead.template);
    const total = ps.reduce((n, p) => n + p.count, 0);
    const severity: Severity = total >= CRITICAL_COUNT ? 'critical' : 'warning';
    const evidence: Evidence[] = top.slice(0, 3).map((p) => ({
      series: `otel_logs{namespace=${JSON.stringify(namespace ?? '')},workload=${JSON.stringify(workload)},template=${JSON.stringify(oneLine(p.template, 100))}}`,
      time: new Date(Date.parse(p.last_seen)).toISOString(),
      value: p.count,
      why: oneLine(
        `${p.max_severity} ×${p.count} ${p.new ? `new since ${p.first_seen}` : `×${p.surge_ratio} vs the window before`}: ${p.example}`,
        300,
      ),
    }));
    out.push({
      id: `log_pattern:${category}:${workloadKey}`,
      kind: 'log_pattern',
      severity,
      // The title names our classification, never the log text (attacker-writable; it stays in the evidence).
      title: `${category === 'dependency' ? 'A dependency fails' : category === 'config' ? 'Configuration errors' : 'New errors'} in the logs of ${workloadKey} (${logSymptom(lead.template) ?? 'error'}: ${total} lines${lead.new ? ', new' : ''})`,
      resource: { ...(namespace ? { namespace } : {}), workload },
      score: category === 'errors' ? 0.7 : 0.8,
      started_at: new Date(Math.min(...ps.map((p) => Date.parse(p.first_seen)))).toISOString(),
      evidence,
      details: {
        source: 'otel_logs',
        category,
        ...(logSymptom(lead.template) ? { symptom: logSymptom(lead.template) } : {}),
        template: oneLine(lead.template, 200),
        lines: total,
        new: lead.new,
        example: oneLine(lead.example, 200),
      },
    });
  }
  return out;
}
