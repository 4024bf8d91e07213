/**
 * Health analyser (service rules): p95 latency and the 5xx ratio of each service against the
 * window's own baseline (its first third), so a regression is judged against what was normal today.
 */
import type { Finding, SeriesData } from '../types.js';
import { argMax, baselineAndRecent, evidenceAt, makeFinding, median, pct, resourceOf, round, rfc3339 } from './series-utils.js';

type ByQuery = ReadonlyMap<string, SeriesData[]>;

export function analyseServiceHealth(byQuery: ByQuery): Finding[] {
  return [...latency(byQuery), ...errors(byQuery)];
}

/** First index after the baseline from which the value stays above `level` for most of the rest. */
function onset(s: SeriesData, from: number, level: number): number {
  for (let i = from; i < s.values.length; i++) {
    if (s.values[i]! < level) continue;
    const rest = s.values.slice(i);
    if (rest.filter((v) => v >= level).length >= 0.8 * rest.length) return i;
  }
  return s.values.length - 1;
}

function latency(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('http_latency_p95') ?? []) {
    const { baseline, recent, recentFrom } = baselineAndRecent(s);
    const base = median(baseline);
    const now = median(recent);
    const ratio = now / base;
    if (!(ratio >= 1.5) || now - base < 0.05) continue;
    const start = onset(s, baseline.length, base * 1.5);
    const peak = argMax(s.values, recentFrom);
    out.push(
      makeFinding({
        kind: 'latency',
        severity: ratio >= 3 ? 'critical' : 'warning',
        title: `p95 latency of ${s.labels.service} is ${round(ratio, 2)}× its baseline`,
        resource: resourceOf(s.labels),
        score: Math.min(1, ratio / 5),
        started_at: rfc3339(s.times[start]!),
        evidence: [
          evidenceAt(s, 0, `window start, baseline p95 ${round(base)} s`),
          evidenceAt(s, start, 'p95 latency rose above 1.5× the baseline'),
          evidenceAt(s, peak, `recent p95 ${round(now)} s (${round(ratio, 2)}× baseline)`),
        ],
        details: { baseline_seconds: round(base), recent_seconds: round(now), ratio: round(ratio, 3) },
      }),
    );
  }
  return out;
}

function errors(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('http_error_ratio') ?? []) {
    const { baseline, recent, recentFrom } = baselineAndRecent(s);
    const base = median(baseline);
    const now = median(recent);
    if (!(now >= 0.05) || now < 3 * base + 0.01) continue;
    const start = onset(s, baseline.length, Math.max(0.03, 2 * base));
    const peak = argMax(s.values, recentFrom);
    out.push(
      makeFinding({
        kind: 'errors',
        severity: now >= 0.1 ? 'critical' : 'warning',
        title: `${pct(now)} of requests to ${s.labels.service} fail with 5xx`,
        resource: resourceOf(s.labels),
        score: Math.min(1, now * 5),
        started_at: rfc3339(s.times[start]!),
        evidence: [
          evidenceAt(s, 0, `window start, baseline 5xx ratio ${pct(base)}`),
          evidenceAt(s, start, '5xx ratio rose'),
          evidenceAt(s, peak, `recent 5xx ratio ${pct(now)}`),
        ],
        details: { baseline_ratio: round(base), recent_ratio: round(now) },
      }),
    );
  }
  return out;
}
