/**
 * Capacity analyser: time to exhaustion (src/analytics/forecast) of PVC usage, memory against its
 * limit and namespace quota usage, each a ratio whose limit is 1. Memory is forecast from the last
 * reset on (an OOM kill or restart drops the working set; the whole-window trend would look flat).
 */
import { timeToExhaustion, type ExhaustionResult } from '../../analytics/forecast/index.js';
import { subjectOf } from '../readable.js';
import type { Finding, SeriesData, Severity } from '../types.js';
import { evidenceAt, makeFinding, pct, resourceOf, round, rfc3339, seriesId } from './series-utils.js';

const HOUR_MS = 3_600_000;

/** Queries forecast, with how far ahead a crossing is worth reporting. */
export const CAPACITY_QUERIES: Readonly<Record<string, { horizonMs: number; what: string }>> = {
  pvc_usage: { horizonMs: 7 * 24 * HOUR_MS, what: 'volume' },
  memory_usage_vs_limits: { horizonMs: 24 * HOUR_MS, what: 'memory limit' },
  quota_usage: { horizonMs: 24 * HOUR_MS, what: 'quota' },
};

function sinceLastReset(s: SeriesData): number {
  let from = 0;
  for (let i = 1; i < s.values.length; i++) if (s.values[i]! < 0.8 * s.values[i - 1]!) from = i;
  return from;
}

function severityOf(r: ExhaustionResult): Severity {
  if (r.status === 'exhausted' || (r.etaMs !== null && r.etaMs < 6 * HOUR_MS)) return 'critical';
  if (r.etaMs !== null && r.etaMs < 3 * 24 * HOUR_MS) return 'warning';
  return 'info';
}

const capitalise = (t: string) => `${t[0]!.toUpperCase()}${t.slice(1)}`;

/** ", 80 % chance within 24 h" for a forecast crossing (the ETA is when a crossing becomes more likely than not). */
function chanceOf(r: ExhaustionResult, horizonMs: number): string {
  if (r.status !== 'will_exhaust' || r.probability === null) return '';
  return `, ${Math.round(100 * r.probability)} % chance within ${round(horizonMs / HOUR_MS)} h`;
}

function hours(ms: number | null): number | null {
  return ms === null ? null : round(ms / HOUR_MS, 3);
}

export function analyseCapacity(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  const out: Finding[] = [];
  for (const [query, { horizonMs, what }] of Object.entries(CAPACITY_QUERIES)) {
    for (const s of byQuery.get(query) ?? []) {
      const from = query === 'memory_usage_vs_limits' ? sinceLastReset(s) : 0;
      const times = s.times.slice(from).map((t) => t * 1000);
      const values = s.values.slice(from);
      if (values.length < 12) continue;
      const r = timeToExhaustion({ times, values }, 1, { horizonMs });
      if (r.status !== 'will_exhaust' && r.status !== 'exhausted') continue;
      const last = s.values.length - 1;
      const eta = r.status === 'exhausted' ? 'is exhausted' : `reaches its ${what} in about ${round((r.etaMs ?? 0) / HOUR_MS, 2)} h`;
      out.push(
        makeFinding({
          kind: 'capacity',
          severity: severityOf(r),
          title: `${capitalise(subjectOf(s.labels))} ${eta} (${pct(s.values[last]!)} used${chanceOf(r, horizonMs)})`,
          resource: resourceOf(s.labels),
          score: Math.min(1, Math.max(0.3, 1 - (r.etaMs ?? 0) / horizonMs)),
          started_at: rfc3339(s.times[from]!),
          evidence: [
            evidenceAt(s, from, `start of the forecast history (${pct(s.values[from]!)} used)`),
            evidenceAt(
              s,
              last,
              `${pct(s.values[last]!)} used now${r.trendPerHour !== null ? `, trend ${pct(r.trendPerHour)} per hour` : ''}`,
            ),
          ],
          details: {
            query,
            series: seriesId(s),
            limit: 1,
            status: r.status,
            eta_hours: hours(r.etaMs),
            eta_low_hours: hours(r.etaLowMs),
            eta_high_hours: hours(r.etaHighMs),
            probability_within_horizon: r.probability === null ? null : round(r.probability, 2),
            exhausts_at: r.exhaustsAtMs === null ? null : rfc3339(r.exhaustsAtMs / 1000),
            utilisation: r.utilisation === null ? null : round(r.utilisation),
            trend_per_hour: r.trendPerHour === null ? null : round(r.trendPerHour),
            model: r.model,
            horizon_hours: horizonMs / HOUR_MS,
            level: r.level,
          },
          idSuffix: query === 'quota_usage' ? `quota:${s.labels.resource}` : query,
        }),
      );
    }
  }
  return out;
}
