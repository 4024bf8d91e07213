/**
 * A metrics source whose queries for chosen workspaces wait until the test lets them go (or fail
 * them): holds an analysis or a chat turn "running" for as long as a test needs, without timers.
 */
import type { MetricsSource, WorkspaceRef } from '../../src/metrics/metrics-source.js';

interface Hold {
  released: Promise<void>;
  release(): void;
  fail(err: Error): void;
  /** Resolves when the first query of the workspace is waiting. */
  reached: Promise<void>;
  reach(): void;
}

export interface HeldMetrics {
  source: MetricsSource;
  /** From now on, queries of `ws` wait for `release` (or reject with the error given to `fail`). */
  hold(ws: string): { reached: Promise<void>; release(): void; fail(err: Error): void };
}

export function heldMetrics(inner: MetricsSource): HeldMetrics {
  const holds = new Map<string, Hold>();
  const gate = async (ws: WorkspaceRef) => {
    const h = holds.get(ws.workspaceId);
    if (!h) return;
    h.reach();
    await h.released;
  };
  const source: MetricsSource = {
    kind: inner.kind,
    instant: async (ws, q, t) => (await gate(ws), inner.instant(ws, q, t)),
    range: async (ws, q, w) => (await gate(ws), inner.range(ws, q, w)),
    series: async (ws, m, s, e) => (await gate(ws), inner.series(ws, m, s, e)),
    labelValues: async (ws, l, m, s, e) => (await gate(ws), inner.labelValues(ws, l, m, s, e)),
    alerts: async (ws) => (await gate(ws), inner.alerts(ws)),
  };
  return {
    source,
    hold(ws) {
      let release!: () => void;
      let fail!: (err: Error) => void;
      let reach!: () => void;
      const released = new Promise<void>((resolve, reject) => {
        release = resolve;
        fail = reject;
      });
      released.catch(() => undefined);
      const reached = new Promise<void>((resolve) => (reach = resolve));
      holds.set(ws, { released, release, fail, reached, reach });
      return { reached, release, fail };
    },
  };
}
