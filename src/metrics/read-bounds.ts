/**
 * The bounds of one metrics read, applied by every MetricsSource to every call (routes, tools and the
 * analysis graph alike), against the source's own clock: how far back and forward a read may reach,
 * the shape of a range (query-window.ts), how many series an answer may hold and how many bytes it
 * may take. Each violation is a `limit_exceeded` MetricsError naming the limit (400).
 */
import { MetricsError } from './metrics-error.js';
import { checkRangeShape, type QueryLimits, type RangeWindow } from './query-window.js';

export interface ReadBounds extends QueryLimits {
  /** Oldest time a read may reach, before now (Prometheus's default retention is 15 days). */
  maxLookbackSeconds: number;
  /** Most series (or label values) in one answer. */
  maxSeries: number;
  /** Most bytes of one answer (Prometheus's response body; the embedded source's estimate of its JSON). */
  maxResponseBytes: number;
}

/** The configuration defaults (src/config.ts), for sources built without a configuration (tests, scripts). */
export const DEFAULT_READ_BOUNDS: Readonly<ReadBounds> = {
  maxRangeSeconds: 7 * 86_400,
  maxPointsPerSeries: 11_000,
  minStepSeconds: 5,
  maxLookbackSeconds: 15 * 86_400,
  maxSeries: 2000,
  maxResponseBytes: 32 * 1024 * 1024,
};

/** Clocks disagree a little; a time further ahead than this is a mistake (or a probe), not skew. */
export const MAX_FUTURE_SECONDS = 300;

/** Checks an instant query's evaluation time. */
export function checkInstantTime(time: number, nowSeconds: number, bounds: ReadBounds): void {
  if (!Number.isFinite(time)) throw new MetricsError('invalid_query', 'time must be finite Unix seconds');
  checkTime('time', time, nowSeconds, bounds);
}

/** Checks a range as it will be evaluated (already aligned): its shape, then where it lies in time. */
export function checkRangeWindow(window: RangeWindow, nowSeconds: number, bounds: ReadBounds): void {
  checkRangeShape(window, bounds);
  checkTime('start', window.start, nowSeconds, bounds);
  checkTime('end', window.end, nowSeconds, bounds);
}

/**
 * The window of a series or label-values read. Without start/end Prometheus scans its whole TSDB;
 * here the window defaults to the lookback, and given ends must lie inside it.
 */
export function seriesWindow(
  start: number | undefined,
  end: number | undefined,
  nowSeconds: number,
  bounds: ReadBounds,
): { start: number; end: number } {
  const window = { start: start ?? Math.ceil(nowSeconds - bounds.maxLookbackSeconds), end: end ?? Math.floor(nowSeconds) };
  for (const [name, t] of [
    ['start', window.start],
    ['end', window.end],
  ] as const) {
    if (!Number.isFinite(t)) throw new MetricsError('invalid_query', `${name} must be finite Unix seconds`);
    checkTime(name, t, nowSeconds, bounds);
  }
  if (window.end < window.start) throw new MetricsError('invalid_query', `end (${window.end}) is before start (${window.start})`);
  return window;
}

/** Checks the number of series (or label values) of an answer. */
export function checkSeriesCount(count: number, bounds: ReadBounds, what = 'series'): void {
  if (count > bounds.maxSeries) {
    throw new MetricsError(
      'limit_exceeded',
      `the answer has ${count} ${what}; the limit is ${bounds.maxSeries}: add filters or matchers to select fewer`,
      { limit: 'series' },
    );
  }
}

/** The error for an answer over the byte bound. */
export function responseTooLarge(bounds: ReadBounds): MetricsError {
  return new MetricsError(
    'limit_exceeded',
    `the answer is larger than ${formatBytes(bounds.maxResponseBytes)}: select fewer series or use a larger step`,
    { limit: 'response_size' },
  );
}

function checkTime(name: string, t: number, nowSeconds: number, bounds: ReadBounds): void {
  if (t < nowSeconds - bounds.maxLookbackSeconds) {
    throw new MetricsError(
      'limit_exceeded',
      `${name} (${describeTime(t)}) is older than the lookback limit of ${formatSeconds(bounds.maxLookbackSeconds)} before now`,
      { limit: 'lookback' },
    );
  }
  if (t > nowSeconds + MAX_FUTURE_SECONDS) {
    throw new MetricsError('limit_exceeded', `${name} (${describeTime(t)}) is more than ${MAX_FUTURE_SECONDS} s in the future`, {
      limit: 'future',
    });
  }
}

/** RFC 3339 where Date can represent it (absurd inputs cannot be), Unix seconds otherwise. */
function describeTime(seconds: number): string {
  return Math.abs(seconds) < 8.64e12 ? new Date(seconds * 1000).toISOString() : `${seconds} s`;
}

function formatSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}

function formatBytes(bytes: number): string {
  return bytes % 1_048_576 === 0 ? `${bytes / 1_048_576} MiB` : `${bytes} bytes`;
}
