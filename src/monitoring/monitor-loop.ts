/**
 * What a tick does, whichever scheduler delivered it (BullMQ across replicas, or the in-process one):
 * skip it when the workspace's previous evaluation is still running (anywhere: the overlap lock lives
 * in Redis with BullMQ), otherwise evaluate under a time budget, and count it. A tick that fails is
 * logged and counted; the next tick evaluates again, so a failure never stops the loop.
 */
import { deadline } from '../budget/deadline.js';
import { shortCause } from '../resilience/dependency-unavailable.js';
import type { WorkspaceEvaluator } from './evaluate-workspace.js';
import type { MonitorMetrics } from './monitor-metrics.js';

/** Held while a workspace is evaluated, so overlapping ticks of the same workspace skip. */
export interface OverlapLock {
  /** A release function when taken, undefined when someone holds it. */
  acquire(workspaceId: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}

export class MemoryOverlapLock implements OverlapLock {
  private readonly held = new Set<string>();
  acquire(workspaceId: string): Promise<(() => Promise<void>) | undefined> {
    if (this.held.has(workspaceId)) return Promise.resolve(undefined);
    this.held.add(workspaceId);
    return Promise.resolve(async () => void this.held.delete(workspaceId));
  }
}

export type TickOutcome = 'evaluated' | 'failed' | 'skipped';

export class MonitorLoop {
  constructor(
    private readonly evaluator: Pick<WorkspaceEvaluator, 'evaluate'>,
    private readonly metrics: MonitorMetrics,
    private readonly lock: OverlapLock,
    private readonly o: { timeoutMs: number; now: () => number; warn: (message: string) => void },
  ) {}

  async tick(workspaceId: string, dueAtMs: number): Promise<TickOutcome> {
    const startedMs = this.o.now();
    this.metrics.lag.observe(Math.max(0, startedMs - dueAtMs) / 1000);
    // The lock outlives a hung evaluation only by a margin: the budget below stops it first.
    const release = await this.lock.acquire(workspaceId, this.o.timeoutMs + 30_000);
    if (!release) {
      this.metrics.skipped.inc({ reason: 'overlap' });
      return 'skipped';
    }
    const budget = deadline(this.o.timeoutMs);
    try {
      const result = await this.evaluator.evaluate(workspaceId, budget.signal);
      this.metrics.recordEvaluation(result, (this.o.now() - startedMs) / 1000);
      return 'evaluated';
    } catch (err) {
      this.metrics.recordEvaluation(undefined, (this.o.now() - startedMs) / 1000);
      const why = budget.expired() ? `no answer within ${this.o.timeoutMs / 1000} s` : shortCause(err);
      this.o.warn(`monitor: evaluation of workspace ${workspaceId} failed (the next tick tries again): ${why}`);
      return 'failed';
    } finally {
      budget.clear();
      await release().catch(() => undefined);
    }
  }
}
