/**
 * Log patterns of a window against the window before it: the lines of both go through one Drain tree
 * (./drain.ts), previous window first, so a template the current window shares with the previous one is
 * the same cluster, and each template gets its count now, its count before, whether it is new, its surge
 * (now ÷ before, both windows of equal length) and the workloads and highest severity it comes from,
 * with one example line. New and surging error templates first.
 */
import { Drain, templateText, type DrainOptions } from './drain.js';
import type { LogLine } from './logs-source.js';

export interface LogPattern {
  template: string;
  count: number;
  previousCount: number;
  /** No line of the previous window had it, and the previous window had lines (else nothing is new). */
  isNew: boolean;
  /** count ÷ previousCount; null when new. */
  surge: number | null;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Highest OpenTelemetry severity number among its lines. */
  maxSeverity: number;
  /** namespace/deployment (or pod, or service) of its lines, most frequent first (at most 5). */
  workloads: string[];
  /** The newest line, as read (untrusted, cut by the source). */
  example: string;
}

/** Templates seen fewer times than this in the current window are left out (one-offs are noise). */
export const MIN_PATTERN_COUNT = 2;
const ERROR = 17;

function workloadOf(l: LogLine): string {
  const name = l.deployment || l.pod || l.service || 'unknown';
  return l.namespace ? `${l.namespace}/${name}` : name;
}

interface Tally {
  count: number;
  previous: number;
  first: number;
  last: number;
  maxSeverity: number;
  workloads: Map<string, number>;
  example: string;
  exampleAt: number;
}

/**
 * `comparable`: whether the previous window had any line at all (a filtered read — errors only — may
 * find none before while the service logged plenty); default: whether `previous` has lines.
 */
export function minePatterns(
  current: readonly LogLine[],
  previous: readonly LogLine[],
  options: DrainOptions = {},
  comparable: boolean = previous.length > 0,
): LogPattern[] {
  const drain = new Drain(options);
  const tallies = new Map<number, Tally>();
  const tally = (id: number): Tally => {
    let t = tallies.get(id);
    if (!t) {
      t = {
        count: 0,
        previous: 0,
        first: Infinity,
        last: -Infinity,
        maxSeverity: 0,
        workloads: new Map(),
        example: '',
        exampleAt: -Infinity,
      };
      tallies.set(id, t);
    }
    return t;
  };
  // Oldest first within each window: a template's first line fixes its first tokens, the same way every run.
  const byTime = (lines: readonly LogLine[]) => [...lines].sort((a, b) => a.timestampMs - b.timestampMs);
  for (const l of byTime(previous)) tally(drain.add(l.body).id).previous += 1;
  for (const l of byTime(current)) {
    const t = tally(drain.add(l.body).id);
    t.count += 1;
    t.first = Math.min(t.first, l.timestampMs);
    t.last = Math.max(t.last, l.timestampMs);
    t.maxSeverity = Math.max(t.maxSeverity, l.severityNumber);
    const w = workloadOf(l);
    t.workloads.set(w, (t.workloads.get(w) ?? 0) + 1);
    if (l.timestampMs >= t.exampleAt) [t.example, t.exampleAt] = [l.body, l.timestampMs];
  }
  const templates = new Map(drain.clusters().map((c) => [c.id, templateText(c)]));
  // With no line at all before, there is nothing to compare with (logs just started, or retention ended):
  // nothing is new then, however it looks.
  const out: LogPattern[] = [];
  for (const [id, t] of tallies) {
    if (t.count < MIN_PATTERN_COUNT) continue;
    out.push({
      template: templates.get(id) ?? '',
      count: t.count,
      previousCount: t.previous,
      isNew: comparable && t.previous === 0,
      surge: t.previous === 0 ? null : t.count / t.previous,
      firstSeenMs: t.first,
      lastSeenMs: t.last,
      maxSeverity: t.maxSeverity,
      workloads: [...t.workloads.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, 5)
        .map(([w]) => w),
      example: t.example,
    });
  }
  return out.sort((a, b) => rank(b) - rank(a) || b.count - a.count || (a.template < b.template ? -1 : 1));
}

/** Errors before the rest; among them new, then by surge. */
function rank(p: LogPattern): number {
  const error = p.maxSeverity >= ERROR ? 1000 : 0;
  const change = p.isNew ? 100 : Math.min(99, p.surge ?? 0);
  return error + change;
}
