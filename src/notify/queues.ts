/**
 * The two delivery queues. BullMQ over Redis (every replica works the same queue; a job survives a
 * restart; retries with exponential backoff and jitter; the failed set is the dead-letter state) and,
 * without Redis, an in-process one with the same contract for a single process.
 */
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryGivenUp, RetryDelivery, type AttemptContext, type DeliveryJob, type DeliveryQueue } from './notifier.js';

export interface RetryPolicy {
  attempts: number;
  /** First retry after about this long; each next one doubles it (± 50 % jitter). */
  backoffMs: number;
}

const QUEUE = 'aiops-notify';
const CLOSE_GRACE_MS = 3000;

export class BullDeliveryQueue implements DeliveryQueue {
  private readonly connections: Redis[] = [];
  private readonly queue: Queue<DeliveryJob>;
  private worker: Worker<DeliveryJob> | undefined;

  constructor(
    private readonly o: { connect: () => Redis; prefix: string; retry: RetryPolicy; concurrency: number; warn: (m: string) => void },
  ) {
    this.queue = new Queue<DeliveryJob>(QUEUE, { connection: this.connection(), prefix: o.prefix });
  }

  private connection(): Redis {
    const redis = this.o.connect();
    redis.on('error', () => undefined);
    this.connections.push(redis);
    return redis;
  }

  async add(id: string, job: DeliveryJob): Promise<void> {
    // A job id that exists (waiting, active, completed or failed) makes this a no-op: one delivery per event and channel.
    await this.queue.add(job.event.type, job, {
      jobId: id,
      attempts: this.o.retry.attempts,
      backoff: { type: 'exponential', delay: this.o.retry.backoffMs, jitter: 0.5 },
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    });
  }

  async start(process: (job: DeliveryJob, ctx: AttemptContext, id: string) => Promise<void>): Promise<void> {
    this.worker = new Worker<DeliveryJob>(
      QUEUE,
      async (job) => {
        const attempt = job.attemptsMade + 1;
        try {
          await process(job.data, { attempt, last: attempt >= (job.opts.attempts ?? 1) }, job.id!);
        } catch (err) {
          if (err instanceof DeliveryGivenUp) throw new UnrecoverableError(err.message);
          if (err instanceof RetryDelivery) throw err;
          throw err; // a store or audit failure: retried like a failed attempt
        }
      },
      { connection: this.connection(), prefix: this.o.prefix, concurrency: this.o.concurrency },
    );
    // While Redis is down BullMQ reports every reconnection attempt: one line per 30 s is enough.
    let lastWarned = 0;
    this.worker.on('error', (err) => {
      if (Date.now() - lastWarned < 30_000) return;
      lastWarned = Date.now();
      this.o.warn(`notification worker: ${err.message}`);
    });
  }

  /** Waits for the deliveries in flight up to CLOSE_GRACE_MS: a Redis that is down must not hold a shutdown. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const graceful = Promise.allSettled([this.worker?.close(), this.queue.close()]).then(() =>
      Promise.allSettled(this.connections.map((c) => c.quit())),
    );
    await Promise.race([graceful, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
    clearTimeout(timer);
    for (const c of this.connections) c.disconnect();
  }
}

/** One process, no Redis: the same contract, in memory (a restart forgets the queue). */
export class MemoryDeliveryQueue implements DeliveryQueue {
  private readonly seen = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private process: ((job: DeliveryJob, ctx: AttemptContext, id: string) => Promise<void>) | undefined;
  private closed = false;

  constructor(private readonly retry: RetryPolicy) {}

  add(id: string, job: DeliveryJob): Promise<void> {
    if (this.seen.has(id) || this.closed) return Promise.resolve();
    this.seen.add(id);
    if (this.seen.size > 100_000) this.seen.delete(this.seen.values().next().value!);
    this.run(id, job, 1);
    return Promise.resolve();
  }

  start(process: (job: DeliveryJob, ctx: AttemptContext, id: string) => Promise<void>): Promise<void> {
    this.process = process;
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
  }

  private run(id: string, job: DeliveryJob, attempt: number): void {
    const last = attempt >= this.retry.attempts;
    void (this.process?.(job, { attempt, last }, id) ?? Promise.resolve()).catch((err: unknown) => {
      if (last || err instanceof DeliveryGivenUp || this.closed) return;
      const base = this.retry.backoffMs * 2 ** (attempt - 1);
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.run(id, job, attempt + 1);
        },
        base * (0.5 + Math.random() * 0.5),
      );
      timer.unref();
      this.timers.add(timer);
    });
  }
}
