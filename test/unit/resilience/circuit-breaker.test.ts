/** The circuit breaker on its own: when it opens, that it then fails without calling, and how it closes again. */
import { afterEach, describe, expect, it } from 'vitest';
import { DependencyBreaker } from '../../../src/resilience/circuit-breaker.js';
import { DependencyUnavailable } from '../../../src/resilience/dependency-unavailable.js';

const breakers: DependencyBreaker[] = [];
const breaker = (options: ConstructorParameters<typeof DependencyBreaker>[1] = {}) => {
  const b = new DependencyBreaker('redis', { resetTimeoutMs: 100, ...options });
  breakers.push(b);
  return b;
};
afterEach(() => breakers.splice(0).forEach((b) => b.shutdown()));

const failing = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }));

describe('DependencyBreaker', () => {
  it('passes results through while the dependency answers', async () => {
    const b = breaker();
    expect(await b.call(async () => 'PONG')).toBe('PONG');
    expect(b.state).toBe('closed');
  });

  it('turns a failure into DependencyUnavailable with its cause, and a slow call into one after its own bound', async () => {
    const b = breaker({ failuresToOpen: 10 });
    const err = await b.call(failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnavailable);
    expect(err).toMatchObject({ dependency: 'redis', reason: 'redis_unavailable', circuitOpen: false });
    expect((err as DependencyUnavailable).causeLine()).toMatch(/ECONNREFUSED/);
    const slow = await b.call(() => new Promise((r) => setTimeout(r, 1000)), 20).catch((e: unknown) => e);
    expect((slow as DependencyUnavailable).causeLine()).toMatch(/ETIMEDOUT: no answer within 20 ms/);
  });

  it('opens after consecutive failures even after many successes, then fails without calling', async () => {
    const b = breaker({ failuresToOpen: 3 });
    for (let i = 0; i < 50; i++) await b.call(async () => 'ok'); // a busy window of successes before the outage
    for (let i = 0; i < 3; i++) await b.call(failing).catch(() => undefined);
    expect(b.state).toBe('open');
    let called = false;
    const err = await b
      .call(async () => {
        called = true;
      })
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toMatchObject({ reason: 'redis_unavailable', circuitOpen: true });
    expect(b.rejected).toBe(1);
  });

  it('lets one trial through after the reset timeout: success closes it, failure re-opens it', async () => {
    const b = breaker({ failuresToOpen: 1 });
    const states: string[] = [];
    b.onStateChange((s) => states.push(s));
    await b.call(failing).catch(() => undefined);
    expect(b.state).toBe('open');
    await new Promise((r) => setTimeout(r, 150));
    expect(b.state).toBe('half_open');
    await b.call(failing).catch(() => undefined);
    expect(b.state).toBe('open');
    await new Promise((r) => setTimeout(r, 150));
    expect(await b.call(async () => 'back')).toBe('back');
    expect(b.state).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });

  it('closes at once when told the dependency answers again (a reconnected client), without waiting for a trial', async () => {
    const b = breaker({ failuresToOpen: 1, resetTimeoutMs: 60_000 });
    await b.call(failing).catch(() => undefined);
    expect(b.state).toBe('open');
    b.recovered();
    expect(b.state).toBe('closed');
    expect(await b.call(async () => 'PONG')).toBe('PONG');
  });
});
