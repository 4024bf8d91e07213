/**
 * The distributed scheduler: one BullMQ job scheduler per monitored workspace (`every` the interval),
 * and a worker with bounded concurrency on every replica. BullMQ makes each tick one job and gives a
 * job to one worker, so every workspace is evaluated once per tick across all replicas; the job of a
 * replica that dies mid-evaluation stalls (its lock is not renewed) and is given to another worker.
 * A job scheduler adds its next job when the current one starts, so a slow evaluation never piles
 * ticks up: at most the next one waits, and it skips if the slow one still runs (the Redis overlap lock).
 *
 * Every replica reconciles the schedulers with the discovered workspaces every few minutes (adding
 * missing ones, removing those gone); scheduler ids are the workspace ids, so replicas agree.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OverlapLock, MonitorLoop } from './monitor-loop.js';
import type { MonitorMetrics } from './monitor-metrics.js';
import type { MonitorScheduler, WorkspaceDiscovery } from './scheduler.js';

const QUEUE = 'aiops-monitor';
const JOB = 'evaluate';
const schedulerId = (workspaceId: string) => `ws:${workspaceId}`;

/**
 * Where in the interval a workspace's ticks fall: spread evenly by a hash of its id. Without it every
 * scheduler fires on the same whole interval, and a thousand evaluations queue behind each other.
 */
export function tickOffsetMs(workspaceId: string, intervalMs: number): number {
  return createHash('sha256').update(workspaceId).digest().readUInt32BE(0) % intervalMs;
}

interface TickData {
  workspaceId: string;
}

export interface BullSchedulerOptions {
  /** Fresh ioredis connections (maxRetriesPerRequest: null, as BullMQ's workers require); closed on stop. */
  connect: () => Redis;
  /** Key prefix of the queue in Redis (one per deployment; tests use their own). */
  prefix: string;
  intervalMs: number;
  concurrency: number;
  refreshMs: number;
  /** How long a worker's lock on a job lasts without renewal: a dead replica's tick is taken over after about this. */
  lockDurationMs: number;
  warn: (message: string) => void;
}

export class BullMonitorScheduler implements MonitorScheduler {
  private queue: Queue<TickData> | undefined;
  private worker: Worker<TickData> | undefined;
  private readonly connections: Redis[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;

  private readonly loop: MonitorLoop;

  /** `loopFor` builds the tick loop around this scheduler's overlap lock (in the queue's Redis). */
  constructor(
    loopFor: (lock: OverlapLock) => MonitorLoop,
    private readonly discover: WorkspaceDiscovery,
    private readonly metrics: MonitorMetrics,
    private readonly o: BullSchedulerOptions,
  ) {
    this.loop = loopFor(this.overlapLock());
  }

  /** The overlap lock in the same Redis as the queue: one evaluation of a workspace at a time across replicas. */
  private overlapLock(): OverlapLock {
    const redis = this.connection();
    const key = (workspaceId: string) => `${this.o.prefix}:monitor-running:${workspaceId}`;
    return {
      async acquire(workspaceId, ttlMs) {
        const token = randomUUID();
        const taken = await redis.set(key(workspaceId), token, 'PX', ttlMs, 'NX');
        if (taken !== 'OK') return undefined;
        return async () => {
          await redis.eval(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
            1,
            key(workspaceId),
            token,
          );
        };
      },
    };
  }

  async start(): Promise<void> {
    this.queue = new Queue<TickData>(QUEUE, { connection: this.connection(), prefix: this.o.prefix });
    this.worker = new Worker<TickData>(QUEUE, (job) => this.process(job), {
      connection: this.connection(),
      prefix: this.o.prefix,
      concurrency: this.o.concurrency,
      lockDuration: this.o.lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(this.o.lockDurationMs / 2)),
      maxStalledCount: 2,
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 1000 },
    });
    // While Redis is down BullMQ reports every reconnection attempt: one line per 30 s is enough.
    let lastWarned = 0;
    this.worker.on('error', (err) => {
      if (Date.now() - lastWarned < 30_000) return;
      lastWarned = Date.now();
      this.o.warn(`monitor worker: ${err.message}`);
    });
    await this.reconcile();
    this.refreshTimer = setInterval(() => void this.reconcile(), this.o.refreshMs);
    this.refreshTimer.unref();
  }

  async stop(options: { force?: boolean } = {}): Promise<void> {
    clearInterval(this.refreshTimer);
    // The worker finishes the evaluations it holds; the queue (and its schedulers) stays for the other replicas.
    await this.worker?.close(options.force ?? false);
    await this.queue?.close();
    // quit() waits for Redis; one that is down must not hold a shutdown.
    await Promise.race([Promise.allSettled(this.connections.map((c) => c.quit())), new Promise((r) => setTimeout(r, 2000).unref())]);
    for (const c of this.connections) c.disconnect();
  }

  private connection(): Redis {
    const redis = this.o.connect();
    redis.on('error', () => undefined); // reported by the worker's 'error' event and the failed ticks
    this.connections.push(redis);
    return redis;
  }

  private async process(job: Job<TickData>): Promise<void> {
    // When the tick was due: a scheduler's job id ends with its slot (`repeat:<scheduler>:<millis>`, the offset included).
    const slot = /:(\d+)$/.exec(job.id ?? '')?.[1];
    const dueAtMs = slot ? Number(slot) : job.timestamp + (job.opts.delay ?? 0);
    await this.loop.tick(job.data.workspaceId, dueAtMs);
  }

  /** Schedulers for exactly the discovered workspaces; a failure keeps the current ones (retried at the next refresh). */
  private async reconcile(): Promise<void> {
    const queue = this.queue!;
    try {
      const wanted = new Set(await this.discover());
      const existing = await queue.getJobSchedulers(0, -1);
      const current = new Map(existing.map((s) => [s.key, s]));
      for (const workspaceId of wanted) {
        const have = current.get(schedulerId(workspaceId));
        const offset = tickOffsetMs(workspaceId, this.o.intervalMs);
        if (have && Number(have.every) === this.o.intervalMs && Number(have.offset ?? 0) === offset) continue;
        await queue.upsertJobScheduler(
          schedulerId(workspaceId),
          { every: this.o.intervalMs, offset },
          { name: JOB, data: { workspaceId }, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 1000 } } },
        );
      }
      for (const s of existing) {
        const workspaceId = s.key.startsWith('ws:') ? s.key.slice(3) : undefined;
        if (workspaceId !== undefined && !wanted.has(workspaceId)) await queue.removeJobScheduler(s.key);
      }
      this.metrics.workspaces.set(wanted.size);
    } catch (err) {
      this.o.warn(`monitor: could not reconcile the schedules (kept as they are, retried): ${(err as Error).message}`);
    }
  }
}
