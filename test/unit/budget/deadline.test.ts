/**
 * The time budget's signal fires even when the garbage collector runs while it waits: the combined
 * signal's only holders are the work's listeners (as in a request whose analysis waits on the worker
 * pool). `AbortSignal.any([outer, AbortSignal.timeout(ms)])` fails this on Node 20 — the timeout signal
 * is collected and the work is never stopped — which is why deadline() exists.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { isTimeoutReason } from '../../../src/budget/abort-reason.js';
import { deadline } from '../../../src/budget/deadline.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `make`'s signal with nothing but a listener holding it, collects garbage, and reports whether it fired. */
async function firesAfterGc(make: (outer: AbortSignal) => AbortSignal): Promise<unknown> {
  let reason: unknown = 'never fired';
  const outer = new AbortController();
  (() => {
    const signal = make(outer.signal);
    signal.addEventListener('abort', () => (reason = signal.reason), { once: true });
  })();
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  await sleep(150);
  return reason;
}

describe('deadline', () => {
  it('fires with a TimeoutError after the garbage collector ran, combined with an outer signal', async () => {
    const reason = await firesAfterGc((outer) => deadline(100, outer).signal);
    expect(isTimeoutReason(reason), String(reason)).toBe(true);
  });

  it('fires on its own (no outer signal) after the garbage collector ran', async () => {
    expect(isTimeoutReason(await firesAfterGc(() => deadline(100).signal))).toBe(true);
  });

  it('says whether the budget itself expired, not the outer signal', async () => {
    const outer = new AbortController();
    const d = deadline(50, outer.signal);
    outer.abort(new Error('client gone'));
    expect(d.signal.aborted).toBe(true);
    expect(d.expired()).toBe(false);
    const own = deadline(10);
    await sleep(40);
    expect(own.expired()).toBe(true);
  });

  it('cleared, it never fires', async () => {
    const d = deadline(20);
    d.clear();
    await sleep(60);
    expect(d.signal.aborted).toBe(false);
  });
});
