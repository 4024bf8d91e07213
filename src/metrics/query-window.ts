/**
 * Times, durations and limits of metrics queries. Times are RFC 3339 or Unix seconds; steps are
 * Prometheus durations (`30s`, `5m`, `1h30m`) or seconds. Range queries are aligned to their step
 * (as Grafana does) so that repeated dashboards hit the cache.
 */
import { MetricsError } from './metrics-error.js';

/** The shape of a range: how long, how fine, how many points (time-independent; see read-bounds.ts for the rest). */
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

const RFC_3339 = /^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d(:\d\d)?\.?\d*([Zz]|[+-]\d\d:\d\d)$/;

/** Unix seconds from RFC 3339 or a Unix-seconds number, or a MetricsError naming the parameter. */
export function parseTime(value: string, parameter: string): number {
  const trimmed = value.trim();
  // Date.parse alone is lenient beyond RFC 3339 ("-1" is 2001-01-01 to V8): only that shape is handed to it.
  const seconds = /^[\d.]+$/.test(trimmed) ? Number(trimmed) : RFC_3339.test(trimmed) ? Date.parse(trimmed) / 1000 : NaN;
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

/**
 * Aligns a range to its step, then checks the aligned range against the limits (400 naming the limit
 * hit). Checking after aligning matters: aligning moves the start down by up to one step, so a huge
 * step would otherwise turn a one-minute range into one that starts in 1970.
 */
export function checkAndAlignRange(window: RangeWindow, limits: QueryLimits): RangeWindow {
  const { start, end, step } = window;
  checkStep(step, limits);
  if (end < start) throw new MetricsError('invalid_query', `end (${end}) is before start (${start})`);
  const alignedStart = Math.floor(start / step) * step;
  const aligned = { start: alignedStart, end: Math.max(alignedStart, Math.floor(end / step) * step), step };
  checkRangeShape(aligned, limits);
  return aligned;
}

/** The time-independent checks of a range as it will be evaluated (finite, ordered, length, step, points). */
export function checkRangeShape(window: RangeWindow, limits: QueryLimits): void {
  const { start, end, step } = window;
  if (!Number.isFinite(start) || !Number.isFinite(end))
    throw new MetricsError('invalid_query', 'start and end must be finite Unix seconds');
  checkStep(step, limits);
  if (end < start) throw new MetricsError('invalid_query', `end (${end}) is before start (${start})`);
  if (end - start > limits.maxRangeSeconds) {
    throw new MetricsError(
      'limit_exceeded',
      `the range is ${Math.round((end - start) / 3600)} h; the limit is ${limits.maxRangeSeconds / 3600} h`,
      { limit: 'range' },
    );
  }
  const points = Math.floor((end - start) / step) + 1;
  if (points > limits.maxPointsPerSeries) {
    throw new MetricsError(
      'limit_exceeded',
      `the range at step ${step}s gives ${points} points per series; the limit is ${limits.maxPointsPerSeries}: use a step of at least ${Math.ceil((end - start) / (limits.maxPointsPerSeries - 1))}s`,
      { limit: 'points_per_series' },
    );
  }
}

function checkStep(step: number, limits: QueryLimits): void {
  if (!Number.isFinite(step) || step <= 0) throw new MetricsError('invalid_query', 'step must be a positive number of seconds');
  if (step < limits.minStepSeconds) {
    throw new MetricsError('limit_exceeded', `step ${step}s is below the minimum of ${limits.minStepSeconds}s`, { limit: 'step' });
  }
  if (step > limits.maxRangeSeconds) {
    throw new MetricsError('limit_exceeded', `step ${step}s is longer than the longest range (${limits.maxRangeSeconds}s)`, {
      limit: 'step',
    });
  }
}
