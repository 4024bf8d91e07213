/**
 * The alert state machine, counted in evaluations so it scales with the interval:
 *
 *   (observed) → pending ──N consecutive observations──→ firing ──N consecutive misses──→ resolved
 *                   └── missed once: dropped (it never fired, nobody was told)      ↑ seen again: stays firing
 *
 * N is MONITOR_FOR_EVALUATIONS. The `for` before firing keeps a one-evaluation blip from notifying;
 * the hysteresis before resolving keeps a flapping signal (seen, missed, seen …) firing instead of
 * resolving and firing again, so it notifies once. An alert seen again after it resolved is a new
 * episode (a new alert, pending again, with its own onset). A source that applies its own `for`
 * (Prometheus's pending/firing) decides when the alert fires; resolving is still counted here.
 */

export type AlertState = 'pending' | 'firing' | 'resolved';

export interface LifecycleState {
  state: AlertState;
  /** Consecutive evaluations that saw the condition (while pending). */
  hits: number;
  /** Consecutive evaluations that did not see it (while firing). */
  misses: number;
  /** The onset: the earliest time the condition is known to hold in this episode (ms). */
  startedAtMs: number;
  firedAtMs: number | null;
  resolvedAtMs: number | null;
  lastSeenAtMs: number;
  lastEvaluatedAtMs: number;
}

export interface Observation {
  /** When the source says the condition began (an anomaly's first point, Prometheus's activeAt), if it knows. */
  onsetMs?: number;
  /** Set by a source that applies its own `for`: it fires when the source says `firing`, never by count. */
  sourceState?: 'pending' | 'firing';
}

/** What an evaluation did to one alert: the transitions a notifier or an incident cares about. */
export type Transition = 'opened' | 'fired' | 'resolved' | 'dropped' | 'unchanged';

export interface Step {
  /** Undefined when the alert is dropped (a pending alert that never fired and is gone). */
  next: LifecycleState | undefined;
  transition: Transition;
}

function firesNow(hits: number, forEvaluations: number, observation: Observation): boolean {
  return observation.sourceState ? observation.sourceState === 'firing' : hits >= forEvaluations;
}

/**
 * One evaluation of one alert. `prev` is the alert's current episode (undefined: none open),
 * `observation` what this evaluation saw (undefined: not seen), `forEvaluations` ≥ 1.
 */
export function advance(
  prev: LifecycleState | undefined,
  observation: Observation | undefined,
  atMs: number,
  forEvaluations: number,
): Step {
  const n = Math.max(1, Math.floor(forEvaluations));
  if (!prev || prev.state === 'resolved') {
    if (!observation) return { next: prev, transition: 'unchanged' };
    const startedAtMs = Math.min(observation.onsetMs ?? atMs, atMs);
    const fires = firesNow(1, n, observation);
    return {
      next: {
        state: fires ? 'firing' : 'pending',
        hits: 1,
        misses: 0,
        startedAtMs,
        firedAtMs: fires ? atMs : null,
        resolvedAtMs: null,
        lastSeenAtMs: atMs,
        lastEvaluatedAtMs: atMs,
      },
      transition: fires ? 'fired' : 'opened',
    };
  }
  if (prev.state === 'pending') {
    if (!observation) return { next: undefined, transition: 'dropped' };
    const hits = prev.hits + 1;
    const fires = firesNow(hits, n, observation);
    const startedAtMs = Math.min(prev.startedAtMs, observation.onsetMs ?? prev.startedAtMs);
    return {
      next: {
        ...prev,
        hits,
        misses: 0,
        startedAtMs,
        state: fires ? 'firing' : 'pending',
        firedAtMs: fires ? atMs : null,
        lastSeenAtMs: atMs,
        lastEvaluatedAtMs: atMs,
      },
      transition: fires ? 'fired' : 'unchanged',
    };
  }
  // firing
  if (observation) return { next: { ...prev, misses: 0, lastSeenAtMs: atMs, lastEvaluatedAtMs: atMs }, transition: 'unchanged' };
  const misses = prev.misses + 1;
  if (misses >= n)
    return { next: { ...prev, misses, state: 'resolved', resolvedAtMs: atMs, lastEvaluatedAtMs: atMs }, transition: 'resolved' };
  return { next: { ...prev, misses, lastEvaluatedAtMs: atMs }, transition: 'unchanged' };
}
