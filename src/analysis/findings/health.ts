/**
 * Health analyser (container rules): OOM kills and memory at its limit, steady memory growth,
 * restarts and crash loops, pods not ready, CFS throttling, CPU pinned at its limit, quota nearly used.
 * Service rules (latency, errors) live in service-health.ts, rollouts in deploys.ts.
 */
import { theilSen } from '../../analytics/forecast/index.js';
import type { Finding, SeriesData } from '../types.js';
import {
  argMax,
  containerKey,
  evidenceAt,
  longestRun,
  makeFinding,
  pct,
  resourceOf,
  round,
  rfc3339,
  stepOf,
  sustainedSince,
} from './series-utils.js';

type ByQuery = ReadonlyMap<string, SeriesData[]>;

export function analyseHealth(byQuery: ByQuery): Finding[] {
  return [
    ...memoryTrouble(byQuery),
    ...crashLoops(byQuery),
    ...notReady(byQuery),
    ...throttling(byQuery),
    ...cpuSaturation(byQuery),
    ...quotaPressure(byQuery),
  ];
}

/** The memory rules alone: OOM kills or memory at its limit, and steady growth (a leak). Right-sizing defers to them (index.ts). */
export function memoryTrouble(byQuery: ByQuery): Finding[] {
  return [...oomKills(byQuery), ...memoryGrowth(byQuery)];
}

function oomKills(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  const nearLimit = new Map((byQuery.get('memory_usage_vs_limits') ?? []).map((s) => [containerKey(s.labels), s]));
  const seen = new Set<string>();
  for (const s of byQuery.get('oom_kills') ?? []) {
    const first = s.values.findIndex((v) => v > 0);
    if (first < 0) continue;
    seen.add(containerKey(s.labels));
    const peak = argMax(s.values);
    const evidence = [
      evidenceAt(s, first, 'first OOM kill in the window (kills over the last hour)'),
      evidenceAt(s, peak, `${s.values[peak]} OOM kills in the hour`),
    ];
    const mem = nearLimit.get(containerKey(s.labels));
    if (mem) {
      const m = argMax(mem.values);
      evidence.push(evidenceAt(mem, m, `working set at ${pct(mem.values[m]!)} of the memory limit`));
    }
    out.push(
      makeFinding({
        kind: 'oom_kill',
        severity: 'critical',
        title: `Container ${s.labels.container} of ${s.labels.pod} was OOM-killed`,
        resource: resourceOf(s.labels),
        score: Math.min(1, 0.7 + 0.1 * s.values[peak]!),
        started_at: rfc3339(s.times[first]!),
        evidence,
        details: { max_kills_per_hour: s.values[peak] },
      }),
    );
  }
  for (const mem of byQuery.get('memory_usage_vs_limits') ?? []) {
    if (seen.has(containerKey(mem.labels))) continue;
    const m = argMax(mem.values);
    if (m < 0 || mem.values[m]! < 0.95) continue;
    out.push(
      makeFinding({
        kind: 'oom_kill',
        severity: 'warning',
        title: `Container ${mem.labels.container} of ${mem.labels.pod} is at its memory limit`,
        resource: resourceOf(mem.labels),
        score: mem.values[m]!,
        started_at: rfc3339(mem.times[m]!),
        evidence: [evidenceAt(mem, m, `working set at ${pct(mem.values[m]!)} of the memory limit: the next allocation risks an OOM kill`)],
        details: { max_usage_vs_limit: round(mem.values[m]!) },
      }),
    );
  }
  return out;
}

/**
 * Steady growth between large drops (an OOM kill or restart resets the working set): the latest
 * stretch of at least 20 points is fitted. When a kill came just before the end, that is the stretch
 * before it, if it ended at the memory limit: a leak that was just reset by an OOM kill is still a leak.
 */
function memoryGrowth(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  const limits = new Map((byQuery.get('memory_limits') ?? []).map((s) => [containerKey(s.labels), s.values[s.values.length - 1]!]));
  for (const s of byQuery.get('memory_working_set') ?? []) {
    const bounds = [0];
    for (let i = 1; i < s.values.length; i++) if (s.values[i]! < 0.8 * s.values[i - 1]!) bounds.push(i);
    bounds.push(s.values.length);
    let k = bounds.length - 2;
    while (k > 0 && bounds[k + 1]! - bounds[k]! < 20) k--;
    const from = bounds[k]!;
    const to = bounds[k + 1]!;
    const segment = s.values.slice(from, to);
    if (segment.length < 20) continue;
    const limit = limits.get(containerKey(s.labels));
    // An earlier stretch counts only when it ended at the memory limit: the drop was the OOM kill.
    if (to < s.values.length && !(limit !== undefined && Math.max(...segment) >= 0.9 * limit)) continue;
    // Screen on 2,000 sampled pairs with half the thresholds first: most series (flat or cyclic)
    // stop here; the decision itself is always taken on the full fit.
    const screen = theilSen(segment, { maxPairs: 2000 });
    if (!screen || !(screen.slope > 0) || (screen.slope * (segment.length - 1)) / Math.max(1, screen.intercept) < 0.075) continue;
    const fit = theilSen(segment);
    if (!fit || !(fit.slope > 0) || !(fit.slopeLow > 0)) continue;
    // Steady, not a warm-up: a new container fills its caches fast, then levels off; a leak keeps
    // climbing, so its second half rises at least half as fast as the whole, and not much slower than
    // its first half (a cache filling up decelerates: over 20+ minutes of a 10-minute fill the second
    // half rises at under 0.4× the first, yet still at half the whole's rate).
    const half = Math.floor(segment.length / 2);
    const late = theilSen(segment.slice(half), { maxPairs: 2000 });
    if (!late || late.slope < 0.5 * fit.slope) continue;
    const early = theilSen(segment.slice(0, half), { maxPairs: 2000 });
    if (!early || late.slope < 0.6 * early.slope) continue;
    const perHour = (fit.slope * 3600) / stepOf(s);
    const reference = limit ?? Math.max(...segment);
    const rise = (fit.slope * (segment.length - 1)) / Math.max(1, fit.intercept);
    // Steady: ≥ 5 % of the limit per hour and ≥ 15 % over the segment (the daily cycle gives far less).
    if (perHour < 0.05 * reference || rise < 0.15) continue;
    const last = to - 1;
    const eta = limit !== undefined ? Math.max(0, (limit - s.values[last]!) / perHour) : undefined;
    out.push(
      makeFinding({
        kind: 'memory_growth',
        severity: eta !== undefined && eta < 2 ? 'critical' : 'warning',
        title: `Memory of ${s.labels.container} in ${s.labels.pod} grows steadily (${round(perHour / 1_048_576, 3)} MiB/h)`,
        resource: resourceOf(s.labels),
        score: Math.min(1, 0.5 + rise / 2),
        started_at: rfc3339(s.times[from]!),
        evidence: [
          evidenceAt(s, from, 'start of the steady rise'),
          evidenceAt(
            s,
            last,
            `${to === s.values.length ? 'working set now' : 'working set just before it dropped (OOM kill or restart)'}, rising ${round(perHour / 1_048_576, 3)} MiB per hour`,
          ),
        ],
        details: {
          bytes_per_hour: Math.round(perHour),
          rise_share: round(rise),
          limit_bytes: limit ?? null,
          hours_to_limit: eta === undefined ? null : round(eta, 3),
        },
      }),
    );
  }
  return out;
}

/** Restarts (increase over the last hour): any restart is reported, three or more per hour is a crash loop. */
export function crashLoops(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('restarts') ?? []) {
    const first = s.values.findIndex((v) => v >= 1);
    if (first < 0) continue;
    const peak = argMax(s.values);
    const loop = s.values[peak]! >= 3;
    out.push(
      makeFinding({
        kind: 'restarts',
        severity: loop ? 'critical' : 'warning',
        title: loop
          ? `Container ${s.labels.container} of ${s.labels.pod} is crash-looping`
          : `Container ${s.labels.container} of ${s.labels.pod} restarted`,
        resource: resourceOf(s.labels),
        score: Math.min(1, 0.4 + 0.1 * s.values[peak]!),
        started_at: rfc3339(s.times[first]!),
        evidence: [
          evidenceAt(s, first, 'first restart in the window (restarts over the last hour)'),
          evidenceAt(s, peak, `${round(s.values[peak]!)} restarts in the hour`),
        ],
        details: { max_restarts_per_hour: round(s.values[peak]!), crash_loop: loop },
      }),
    );
  }
  return out;
}

function notReady(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('pods_not_ready') ?? []) {
    const run = longestRun(s.values, (v) => v >= 1);
    const minutes = (run.length * stepOf(s)) / 60;
    if (minutes < 5) continue;
    const stillNow = sustainedSince(s.values, (v) => v >= 1) >= 0;
    out.push(
      makeFinding({
        kind: 'not_ready',
        severity: stillNow ? 'critical' : 'warning',
        title: `Pod ${s.labels.pod} not ready for ${Math.round(minutes)} min`,
        resource: resourceOf(s.labels),
        score: Math.min(1, 0.5 + minutes / 120),
        started_at: rfc3339(s.times[run.start]!),
        evidence: [
          evidenceAt(s, run.start, 'pod became not ready'),
          evidenceAt(s, run.start + run.length - 1, stillNow ? 'still not ready' : 'last not-ready sample'),
        ],
        details: { not_ready_minutes: Math.round(minutes), not_ready_now: stillNow },
      }),
    );
  }
  return out;
}

/** A share above `level` for at least `minMinutes` (consecutive samples). */
function sustained(s: SeriesData, level: number, minMinutes: number): { start: number; length: number } | undefined {
  const run = longestRun(s.values, (v) => v >= level);
  return run.length * stepOf(s) >= minMinutes * 60 ? run : undefined;
}

function throttling(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('cpu_throttling') ?? []) {
    const run = sustained(s, 0.25, 10);
    if (!run) continue;
    const peak = argMax(s.values, run.start);
    out.push(
      makeFinding({
        kind: 'cpu_throttling',
        severity: s.values[peak]! >= 0.5 ? 'critical' : 'warning',
        title: `Container ${s.labels.container} of ${s.labels.pod} is CPU-throttled (${pct(s.values[peak]!)} of periods)`,
        resource: resourceOf(s.labels),
        score: s.values[peak]!,
        started_at: rfc3339(s.times[run.start]!),
        evidence: [evidenceAt(s, run.start, 'throttled share crossed 25 %'), evidenceAt(s, peak, 'peak throttled share of CFS periods')],
        details: { max_throttled_share: round(s.values[peak]!), minutes_above_25pct: Math.round((run.length * stepOf(s)) / 60) },
      }),
    );
  }
  return out;
}

function cpuSaturation(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('cpu_usage_vs_limits') ?? []) {
    const run = sustained(s, 0.9, 15);
    if (!run) continue;
    const minutes = (run.length * stepOf(s)) / 60;
    const end = run.start + run.length - 1;
    out.push(
      makeFinding({
        kind: 'cpu_saturation',
        severity: minutes >= 30 ? 'critical' : 'warning',
        title: `Container ${s.labels.container} of ${s.labels.pod} is pinned at its CPU limit`,
        resource: resourceOf(s.labels),
        score: Math.min(1, 0.6 + minutes / 300),
        started_at: rfc3339(s.times[run.start]!),
        evidence: [
          evidenceAt(s, run.start, 'CPU usage reached 90 % of the limit'),
          evidenceAt(s, end, `still at ${pct(s.values[end]!)} of the limit after ${Math.round(minutes)} min`),
        ],
        details: { minutes_at_limit: Math.round(minutes) },
      }),
    );
  }
  return out;
}

function quotaPressure(byQuery: ByQuery): Finding[] {
  const out: Finding[] = [];
  for (const s of byQuery.get('quota_usage') ?? []) {
    const last = s.values.length - 1;
    if (last < 0 || !(s.values[last]! >= 0.9)) continue;
    const since = sustainedSince(s.values, (v) => v >= 0.9);
    out.push(
      makeFinding({
        kind: 'quota',
        severity: s.values[last]! >= 0.98 ? 'critical' : 'warning',
        title: `Quota ${s.labels.resource} of namespace ${s.labels.namespace} is ${pct(s.values[last]!)} used`,
        resource: resourceOf(s.labels),
        score: Math.min(1, s.values[last]!),
        started_at: rfc3339(s.times[since]!),
        evidence: [evidenceAt(s, since, 'quota usage crossed 90 %'), evidenceAt(s, last, 'quota usage now: new pods may be refused')],
        details: { resource: s.labels.resource, usage: round(s.values[last]!) },
        idSuffix: s.labels.resource,
      }),
    );
  }
  return out;
}
