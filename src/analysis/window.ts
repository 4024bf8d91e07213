/**
 * The analysis window, computed one way for every analysis (the tools, the analysis graph's plan,
 * the alerts and recommendations endpoints): the last `spanSeconds` up to `endSeconds`, its end
 * aligned down to the step so that repeated analyses ask for the same range (and hit the cache).
 */
import type { RangeWindow } from '../metrics/query-window.js';

/** About the resolution of an analysis (6 h at 60 s): coarser steps blur incident onsets. */
export const DEFAULT_MAX_POINTS = 360;

export interface WindowSpec {
  /** How far back, in seconds. */
  spanSeconds: number;
  /** Unix seconds the window ends at (before alignment; fractions allowed). */
  endSeconds: number;
  /** Without `stepSeconds`: a step that keeps each series at or under this many points (default DEFAULT_MAX_POINTS). */
  maxPoints?: number;
  /** A step chosen by the caller (a tool's `step_seconds`); otherwise whole minutes, at least one. */
  stepSeconds?: number;
}

export function analysisWindow({ spanSeconds, endSeconds, maxPoints = DEFAULT_MAX_POINTS, stepSeconds }: WindowSpec): RangeWindow {
  const step = stepSeconds ?? Math.max(60, Math.ceil(spanSeconds / maxPoints / 60) * 60);
  const end = Math.floor(endSeconds / step) * step;
  return { start: end - spanSeconds, end, step };
}
