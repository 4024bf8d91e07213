/**
 * Times, durations and limits of metrics queries. Times are RFC 3339 or Unix seconds; steps are
 * Prometheus durations (`30s`, `5m`, `1h30m`) or seconds. Range queries are aligned to their step
 * (as Grafana does) so that repeated dashboards hit the cache.
 */
import { MetricsError } from './metrics-error.js';

export interface QueryLimits {
  maxRangeSeconds: number;
  /** Prometheus itself refuses more than 11,000 points per series. */
  maxPointsPerSeries: number;
  minStepSeconds: number;
}

export interface RangeWindow {
  start: number;
  end: number;
  step: number;
}

/** Unix seconds from RFC 3339 or a Unix-seconds number, or a MetricsError naming the parameter. */
export function parseTime(value: string, parameter: string): number {
  const trimmed = value.trim();
  const seconds = /^[\d.]+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new MetricsError('invalid_query', `${parameter}: "${value.slice(0, 40)}" is not an RFC 3339 time or Unix seconds`);
  }
  return seconds;
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

/** Seconds from `30s`, `1h30m`, `250ms` or a plain number of seconds. */
export function parseDuration(value: string, parameter: string): number {
  const trimmed = value.trim();
  let seconds: number;
  if (/^[\d.]+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    const parts = [...trimmed.matchAll(/(\d+)(ms|[smhdwy])/g)];
    const consumed = parts.map((p) => p[0]).join('');
    seconds = consumed === trimmed && parts.length > 0 ? parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0) : NaN;
  }
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new MetricsError('invalid_query', `${parameter}: "${value.slice(0, 40)}" is not a positive duration (e.g. 30s, 5m, 1h)`);
  }
  return seconds;
}

/** A default step giving about 250 points, never below the minimum. */
export function defaultStep(start: number, end: number, limits: QueryLimits): number {
  return Math.max(limits.minStepSeconds, Math.ceil((end - start) / 250));
}

/** Checks a range against the limits (400 naming the limit hit) and aligns it to its step. */
export function checkAndAlignRange(window: RangeWindow, limits: QueryLimits): RangeWindow {
  const { start, end, step } = window;
  if (end < start) throw new MetricsError('invalid_query', `end (${end}) is before start (${start})`);
  if (end - start > limits.maxRangeSeconds) {
    throw new MetricsError('limit_exceeded', `the range is ${Math.round((end - start) / 3600)} h; the limit is ${limits.maxRangeSeconds / 3600} h`, { limit: 'range' });
  }
  if (step < limits.minStepSeconds) {
    throw new MetricsError('limit_exceeded', `step ${step}s is below the minimum of ${limits.minStepSeconds}s`, { limit: 'step' });
  }
  const points = Math.floor((end - start) / step) + 1;
  if (points > limits.maxPointsPerSeries) {
    throw new MetricsError('limit_exceeded', `the range at step ${step}s gives ${points} points per series; the limit is ${limits.maxPointsPerSeries}: use a step of at least ${Math.ceil((end - start) / (limits.maxPointsPerSeries - 1))}s`, { limit: 'points_per_series' });
  }
  const alignedStart = Math.floor(start / step) * step;
  return { start: alignedStart, end: Math.max(alignedStart, Math.floor(end / step) * step), step };
}
