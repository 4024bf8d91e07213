/**
 * The alert state machine (src/monitoring/alert-lifecycle.ts): the `for` before firing, the
 * hysteresis before resolving, flapping, re-firing, the onset, and a source that decides firing itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance, type LifecycleState, type Observation, type Transition } from '../../../src/monitoring/alert-lifecycle.js';

/** Runs a sequence of evaluations (true = seen) one minute apart; returns every step. */
function run(seen: readonly (boolean | Observation)[], n: number, start?: LifecycleState) {
  let state = start;
  const steps: { state: LifecycleState | undefined; transition: Transition; at: number }[] = [];
  seen.forEach((s, i) => {
    const at = 60_000 * (i + 1);
    const obs = s === true ? {} : s === false ? undefined : s;
    const step = advance(state, obs, at, n);
    state = step.next;
    steps.push({ state, transition: step.transition, at });
  });
  return steps;
}
const transitions = (steps: ReturnType<typeof run>) => steps.map((s) => s.transition);

describe('alert state machine', () => {
  it('a new sighting opens pending; with N = 1 it fires at once', () => {
    expect(run([true], 2)[0]).toMatchObject({ transition: 'opened', state: { state: 'pending', hits: 1, firedAtMs: null } });
    expect(run([true], 1)[0]).toMatchObject({ transition: 'fired', state: { state: 'firing', firedAtMs: 60_000 } });
  });

  it('fires after exactly N consecutive sightings', () => {
    expect(transitions(run([true, true, true], 3))).toEqual(['opened', 'unchanged', 'fired']);
    expect(transitions(run([true, true], 2))).toEqual(['opened', 'fired']);
  });

  it('a pending alert missed once is dropped (it never fired)', () => {
    const steps = run([true, false], 2);
    expect(steps[1]).toMatchObject({ transition: 'dropped', state: undefined });
  });

  it('firing survives fewer than N misses, a sighting resets the count, N misses resolve it', () => {
    const steps = run([true, true, true, false, true, false, false, false], 3);
    expect(transitions(steps)).toEqual(['opened', 'unchanged', 'fired', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'resolved']);
    expect(steps[7]!.state).toMatchObject({ state: 'resolved', resolvedAtMs: 8 * 60_000, misses: 3 });
    const reset = run([true, true, false, true, false], 2);
    expect(reset[4]!.state).toMatchObject({ state: 'firing', misses: 1 });
  });

  it('flapping (seen, missed, seen …) fires once and never resolves with N = 2', () => {
    const steps = run(
      Array.from({ length: 50 }, (_, i) => i % 2 === 0 || i === 1),
      2,
    );
    expect(transitions(steps).filter((t) => t === 'fired')).toHaveLength(1);
    expect(transitions(steps)).not.toContain('resolved');
    expect(steps.at(-1)!.state!.state).toBe('firing');
  });

  it('seen again after it resolved: a new episode, pending, with its own onset', () => {
    const steps = run([true, true, false, false, { onsetMs: 4.5 * 60_000 }], 2);
    expect(steps[3]!.state!.state).toBe('resolved');
    expect(steps[4]).toMatchObject({
      transition: 'opened',
      state: { state: 'pending', hits: 1, startedAtMs: 4.5 * 60_000, firedAtMs: null, resolvedAtMs: null },
    });
  });

  it('the onset is the earliest known start, never later than the evaluation', () => {
    const steps = run([{ onsetMs: 30_000 }, { onsetMs: 10_000 }, { onsetMs: 999_999_999 }], 3);
    expect(steps.map((s) => s.state!.startedAtMs)).toEqual([30_000, 10_000, 10_000]);
    expect(run([{ onsetMs: 999_999_999 }], 2)[0]!.state!.startedAtMs).toBe(60_000);
  });

  it('a source that applies its own `for` decides firing; resolving is still counted', () => {
    const pending: Observation = { sourceState: 'pending' };
    const firing: Observation = { sourceState: 'firing' };
    expect(transitions(run([pending, pending, pending, pending], 2))).toEqual(['opened', 'unchanged', 'unchanged', 'unchanged']);
    expect(transitions(run([firing], 5))).toEqual(['fired']);
    expect(transitions(run([firing, false, false], 2))).toEqual(['fired', 'unchanged', 'resolved']);
  });

  it('N below 1 or fractional counts as at least 1 (floored)', () => {
    expect(transitions(run([true], 0))).toEqual(['fired']);
    expect(transitions(run([true, true], 2.9))).toEqual(['opened', 'fired']);
  });

  it('evaluation times: lastEvaluatedAtMs on every evaluation of an open alert, lastSeenAtMs only on sightings', () => {
    const steps = run([true, true, false], 2);
    expect(steps[2]!.state).toMatchObject({ lastEvaluatedAtMs: 180_000, lastSeenAtMs: 120_000 });
    expect(advance(undefined, undefined, 1, 2)).toEqual({ next: undefined, transition: 'unchanged' });
  });

  it('property: never two firings without a resolution between them; resolves only after N consecutive misses', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 200 }), fc.integer({ min: 1, max: 4 }), (seen, n) => {
        const steps = run(seen, n);
        let firing = false;
        let misses = 0;
        for (const [i, step] of steps.entries()) {
          misses = seen[i] ? 0 : misses + 1;
          if (step.transition === 'fired') {
            expect(firing).toBe(false);
            firing = true;
          }
          if (step.transition === 'resolved') {
            expect(firing).toBe(true);
            expect(misses).toBeGreaterThanOrEqual(n);
            firing = false;
          }
          if (step.state?.state === 'resolved') expect(step.state.resolvedAtMs).not.toBeNull();
          if (step.state?.state === 'firing') expect(step.state.firedAtMs).not.toBeNull();
        }
      }),
      { numRuns: 500 },
    );
  });
});
