/**
 * The embedded scheduler (no Redis: one process, `npm start` on a laptop): every interval, each
 * monitored workspace gets a tick, at most `concurrency` evaluations at once; a workspace whose
 * previous evaluation still runs skips the tick (the loop's overlap lock, in memory here). The first
 * tick is at start, so the demo workspaces have alerts within seconds.
 */
import type { MonitorLoop } from './monitor-loop.js';
import type { MonitorMetrics } from './monitor-metrics.js';
import type { MonitorScheduler, WorkspaceDiscovery } from './scheduler.js';

export class LocalMonitorScheduler implements MonitorScheduler {
  private timer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private workspaces: string[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private queue: { workspaceId: string; dueAtMs: number }[] = [];
  private stopped = false;

  constructor(
    private readonly loop: MonitorLoop,
    private readonly discover: WorkspaceDiscovery,
    private readonly metrics: MonitorMetrics,
    private readonly o: { intervalMs: number; concurrency: number; refreshMs: number; now: () => number; warn: (m: string) => void },
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.tickAll();
    this.timer = setInterval(() => this.tickAll(), this.o.intervalMs);
    this.refreshTimer = setInterval(() => void this.refresh(), this.o.refreshMs);
    this.timer.unref();
    this.refreshTimer.unref();
  }

  /** Stops scheduling and waits for the evaluations in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.refreshTimer);
    this.queue = [];
    await Promise.allSettled([...this.running]);
  }

  private async refresh(): Promise<void> {
    try {
      this.workspaces = await this.discover();
      this.metrics.workspaces.set(this.workspaces.length);
    } catch (err) {
      this.o.warn(`monitor: workspace discovery failed, keeping the last list: ${(err as Error).message}`);
    }
  }

  private tickAll(): void {
    const dueAtMs = this.o.now();
    const queued = new Set(this.queue.map((q) => q.workspaceId));
    for (const workspaceId of this.workspaces) {
      // Still queued from the last tick (the loop is behind): this tick coalesces into that one.
      if (queued.has(workspaceId)) this.metrics.skipped.inc({ reason: 'coalesced' });
      else this.queue.push({ workspaceId, dueAtMs });
    }
    this.drain();
  }

  private drain(): void {
    while (!this.stopped && this.running.size < this.o.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      const work: Promise<unknown> = this.loop.tick(next.workspaceId, next.dueAtMs).finally(() => {
        this.running.delete(work);
        this.drain();
      });
      this.running.add(work);
    }
  }
}
