/**
 * Security analyser: egress far above the pod's own baseline (exfiltration, a compromised pod) and
 * the crypto-mining pattern: CPU pinned flat at its limit on a workload that was nearly idle earlier
 * in the window, with egress up. The catalog has no authentication-failure metric, so auth-failure
 * spikes are not analysed here.
 */
import type { Finding, SeriesData } from '../types.js';
import {
  argMax,
  baselineAndRecent,
  evidenceAt,
  makeFinding,
  median,
  podKey,
  quantile,
  resourceOf,
  round,
  rfc3339,
  stepOf,
  sustainedSince,
} from './series-utils.js';

export const SECURITY_QUERIES = ['network_transmit', 'cpu_usage_vs_limits', 'cpu_usage'] as const;

/** Egress at least this many times its baseline, and at least this many bytes/s more, is reported. */
const EGRESS_FACTOR = 5;
const EGRESS_MIN_DELTA = 20_000;

export function analyseSecurity(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  return [...egress(byQuery), ...mining(byQuery)];
}

function egressRatio(s: SeriesData): { base: number; now: number; ratio: number; recentFrom: number } {
  const { baseline, recent, recentFrom } = baselineAndRecent(s);
  const base = median(baseline);
  const now = median(recent);
  return { base, now, ratio: now / Math.max(base, 1), recentFrom };
}

function egress(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('network_transmit') ?? []) {
    const { base, now, ratio, recentFrom } = egressRatio(s);
    if (!(ratio >= EGRESS_FACTOR) || now - base < EGRESS_MIN_DELTA) continue;
    const since = Math.max(
      0,
      sustainedSince(s.values, (v) => v >= base * 3),
    );
    const peak = argMax(s.values, recentFrom);
    out.push(
      makeFinding({
        kind: 'egress',
        severity: ratio >= 20 ? 'critical' : 'warning',
        title: `Egress of pod ${s.labels.pod} is ${round(ratio, 2)}× its baseline`,
        resource: resourceOf(s.labels),
        score: Math.min(1, ratio / 30),
        started_at: rfc3339(s.times[since]!),
        evidence: [
          evidenceAt(s, 0, `baseline egress ${round(base)} B/s`),
          evidenceAt(s, since, 'egress rose'),
          evidenceAt(s, peak, `recent egress ${round(now)} B/s`),
        ],
        details: { baseline_bytes_per_second: round(base), recent_bytes_per_second: round(now), ratio: round(ratio, 3) },
      }),
    );
  }
  return out;
}

function mining(byQuery: ReadonlyMap<string, SeriesData[]>): Finding[] {
  const tx = new Map((byQuery.get('network_transmit') ?? []).map((s) => [podKey(s.labels), s]));
  const out: Finding[] = [];
  for (const s of byQuery.get('cpu_usage_vs_limits') ?? []) {
    const since = sustainedSince(s.values, (v) => v >= 0.9);
    if (since < 0 || (s.values.length - since) * stepOf(s) < 30 * 60) continue;
    const earlier = s.values.slice(0, since);
    if (earlier.length < 10 || !(median(earlier) <= 0.3)) continue;
    const pinned = s.values.slice(since);
    // Flat at the ceiling: a real load peak wobbles, a miner does not.
    if (quantile(pinned, 0.95) - quantile(pinned, 0.05) > 0.08) continue;
    const net = tx.get(podKey(s.labels));
    const netRatio = net ? egressRatio(net) : undefined;
    if (!net || !netRatio || !(netRatio.ratio >= 3)) continue;
    out.push(
      makeFinding({
        kind: 'security',
        severity: 'critical',
        title: `Possible crypto-mining in ${s.labels.pod}: CPU pinned at its limit since ${rfc3339(s.times[since]!)} with egress ${round(netRatio.ratio, 2)}× up`,
        resource: resourceOf(s.labels),
        score: 0.9,
        started_at: rfc3339(s.times[since]!),
        evidence: [
          evidenceAt(s, 0, `CPU at ${round(median(earlier) * 100, 3)}% of its limit earlier in the window (median)`),
          evidenceAt(s, since, 'CPU pinned at the limit from here on, without the usual variation'),
          evidenceAt(net, net.values.length - 1, `egress ${round(netRatio.now)} B/s against a baseline of ${round(netRatio.base)} B/s`),
        ],
        details: {
          rule: 'mining_pattern',
          pattern: 'mining',
          earlier_cpu_vs_limit: round(median(earlier)),
          pinned_minutes: Math.round(((s.values.length - since) * stepOf(s)) / 60),
          egress_ratio: round(netRatio.ratio, 3),
        },
        idSuffix: 'mining',
      }),
    );
  }
  return out;
}
