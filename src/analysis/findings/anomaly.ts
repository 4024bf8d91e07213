/**
 * Anomaly analyser: the default streaming detector (src/analytics/anomaly) over each series of the
 * queries below; a series whose score after the warm-up reaches the threshold becomes an `anomaly`
 * finding with its most anomalous points as evidence.
 */
import { scoreSeries, type Direction } from '../../analytics/anomaly/index.js';
import { formatValue, subjectOf, unitOf } from '../readable.js';
import type { Finding, SeriesData } from '../types.js';
import { evidenceAt, makeFinding, median, resourceOf, round, rfc3339, seriesId } from './series-utils.js';

/** Queries the detector watches, and which deviations matter for each. */
export const ANOMALY_QUERIES: Readonly<Record<string, Direction>> = {
  memory_usage_vs_limits: 'up',
  cpu_usage: 'both',
  cpu_throttling: 'up',
  http_latency_p95: 'up',
  http_error_ratio: 'up',
  network_transmit: 'up',
  restarts: 'up',
};

export interface AnomalyOptions {
  /** Scores at or above this are reported (default 0.45; healthy scenario series stay below 0.4). */
  threshold?: number;
  /** Scores at or above this make the finding a warning (default 0.7). */
  warningAt?: number;
  /** Points scored but not reported while the detector warms up (default 30). */
  warmupPoints?: number;
}

const MAX_EVIDENCE = 3;
/**
 * A statistically unusual point is reported only when it is also material: at least this far from
 * the window's median, relative to it (vmanomaly's min_dev_from_expected idea). A smooth series can
 * score high for a 10 % bump no operator would act on.
 */
export const MIN_RELATIVE_DEVIATION = 0.25;

/** The most anomalous of the cited points. */
function peakAt(indices: readonly number[], scores: ArrayLike<number>): number {
  return indices.reduce((best, i) => (scores[i]! > scores[best]! ? i : best), indices[0]!);
}

export function analyseAnomalies(byQuery: ReadonlyMap<string, SeriesData[]>, options: AnomalyOptions = {}): Finding[] {
  const threshold = options.threshold ?? 0.45;
  const warningAt = options.warningAt ?? 0.7;
  const warmup = options.warmupPoints ?? 30;
  const out: Finding[] = [];
  for (const [query, direction] of Object.entries(ANOMALY_QUERIES)) {
    for (const s of byQuery.get(query) ?? []) {
      // One batch call over the series (times in ms), the same scores as update() point by point.
      const scores = scoreSeries(
        Float64Array.from(s.times, (t) => t * 1000),
        s.values,
        'default',
        { direction },
      );
      const typical = median(s.values);
      const material = (v: number) => Math.abs(v - typical) >= MIN_RELATIVE_DEVIATION * Math.abs(typical);
      const hits: number[] = [];
      for (let i = warmup; i < scores.length; i++) if (scores[i]! >= threshold && material(s.values[i]!)) hits.push(i);
      if (hits.length === 0) continue;
      const top = [...hits]
        .sort((a, b) => scores[b]! - scores[a]!)
        .slice(0, MAX_EVIDENCE)
        .sort((a, b) => a - b);
      const best = Math.max(...top.map((i) => scores[i]!));
      out.push(
        makeFinding({
          kind: 'anomaly',
          severity: best >= warningAt ? 'warning' : 'info',
          title: `Unusual ${query.replaceAll('_', ' ')} of ${subjectOf(s.labels)}: ${formatValue(s.values[peakAt(top, scores)]!, unitOf(query))} (typically ${formatValue(typical, unitOf(query))})`,
          resource: resourceOf(s.labels),
          score: best,
          started_at: rfc3339(s.times[hits[0]!]!),
          evidence: top.map((i) => evidenceAt(s, i, `anomaly score ${round(scores[i]!, 2)} (window median ${round(typical)})`)),
          details: {
            query,
            series: seriesId(s),
            detector: 'default',
            direction,
            max_score: round(best, 3),
            anomalous_points: hits.length,
            window_median: round(typical),
          },
          idSuffix: query,
        }),
      );
    }
  }
  return out;
}
