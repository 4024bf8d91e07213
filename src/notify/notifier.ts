/**
 * Events in, messages out: `publish` makes one delivery job per channel of the workspace that wants
 * the event's severity, keyed `<event id>_<channel id>` so a re-published event is not delivered
 * again; the queue (BullMQ over Redis, or in process) runs each job until it is delivered, retrying
 * with exponential backoff and jitter, and keeps the ones that never make it (the dead letters,
 * counted and audited). Every attempt is audited in the event's workspace. A failing channel only
 * delays its own jobs: jobs run concurrently and each attempt has its own timeout.
 */
import { Counter, type Registry } from 'prom-client';
import { SEVERITY_RANK } from '../analysis/types.js';
import type { AuditLog } from '../audit/event.js';
import type { NotificationSettingsStore } from './channel-store.js';
import { deliverOnce, type AttemptOutcome, type DeliverOptions } from './deliver.js';
import type { NotificationEvent } from './events.js';

export interface DeliveryJob {
  event: NotificationEvent;
  channelId: string;
}

/** What a queue tells the processor about the attempt it runs. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** No retry follows this attempt if it fails. */
  last: boolean;
}

/** Thrown by the processor for an attempt worth retrying. */
export class RetryDelivery extends Error {}
/** Thrown by the processor when the job is over without a delivery: the queue keeps it as a dead letter. */
export class DeliveryGivenUp extends Error {}

export interface DeliveryQueue {
  /** Adds the job unless one with this id exists (pending, running, done or dead). */
  add(id: string, job: DeliveryJob): Promise<void>;
  start(process: (job: DeliveryJob, ctx: AttemptContext, id: string) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export class Notifier {
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly o: {
      settings: NotificationSettingsStore;
      queue: DeliveryQueue;
      audit: AuditLog;
      registry: Registry;
      deliver: DeliverOptions;
      warn: (message: string) => void;
    },
  ) {
    this.outcomes = new Counter({
      name: 'aiops_notify_deliveries_total',
      help: 'Notification delivery attempts by outcome (delivered, retry, dead_letter: given up after the last attempt or refused for good, refused: destination not allowed)',
      labelNames: ['outcome'] as const,
      registers: [o.registry],
    });
  }

  start(): Promise<void> {
    return this.o.queue.start((job, ctx, id) => this.attempt(job, ctx, id));
  }

  /** Never rejects: a notification that cannot be queued is logged (what it is about is stored and audited anyway). */
  async publish(event: NotificationEvent): Promise<void> {
    try {
      const settings = await this.o.settings.get(event.workspaceId);
      if (!settings || SEVERITY_RANK[event.severity] < SEVERITY_RANK[settings.minSeverity]) return;
      for (const channel of settings.channels) await this.o.queue.add(`${event.id}_${channel.id}`, { event, channelId: channel.id });
    } catch (err) {
      this.o.warn(`notification ${event.type} for ${event.workspaceId} not queued: ${(err as Error).message}`);
    }
  }

  close(): Promise<void> {
    return this.o.queue.close();
  }

  private async attempt(job: DeliveryJob, ctx: AttemptContext, deliveryId: string): Promise<void> {
    const settings = await this.o.settings.get(job.event.workspaceId);
    const channel = settings?.channels.find((c) => c.id === job.channelId);
    if (!channel) return; // removed since: nobody to tell
    const outcome = await deliverOnce(channel, job.event, deliveryId, this.o.deliver);
    const label =
      outcome.kind === 'delivered'
        ? 'delivered'
        : outcome.kind === 'refused'
          ? 'refused'
          : outcome.kind === 'retryable' && !ctx.last
            ? 'retry'
            : 'dead_letter';
    this.outcomes.inc({ outcome: label });
    await this.audit(job, channel.type, ctx.attempt, label, outcome);
    if (label === 'retry') throw new RetryDelivery((outcome as { error: string }).error);
    if (label !== 'delivered') throw new DeliveryGivenUp((outcome as { error: string }).error);
  }

  private audit(job: DeliveryJob, channelType: string, attempt: number, outcome: string, result: AttemptOutcome) {
    return this.o.audit.record({
      event_type: 'notification',
      user_id: 'AIOpsAgent',
      workspace_id: job.event.workspaceId,
      resource_id: `notification/${job.event.id}`,
      initiated_by: 'system',
      details: {
        event_id: job.event.id,
        event_type: job.event.type,
        channel_id: job.channelId,
        channel_type: channelType as 'webhook' | 'slack',
        attempt,
        outcome: outcome as 'delivered' | 'retry' | 'dead_letter' | 'refused',
        ...('status' in result && result.status !== undefined ? { status_code: result.status } : {}),
        ...('error' in result ? { error: result.error.slice(0, 500) } : {}),
      },
    });
  }
}
