/**
 * One delivery attempt of one event to one channel. The destination is checked again first (DNS may
 * have changed since the channel was saved); redirects are never followed (a redirect could point
 * anywhere); the generic webhook is signed: `X-AIOps-Signature: sha256=<hex HMAC-SHA256 of the exact
 * body bytes with the channel secret>`, and `X-AIOps-Delivery` is the same on every retry, so a
 * receiver can drop a duplicate.
 */
import { createHmac } from 'node:crypto';
import { deadline } from '../budget/deadline.js';
import type { Channel } from './channel-store.js';
import { DestinationRefused, type DestinationPolicy } from './destination-policy.js';
import { slackBody, webhookBody, type NotificationEvent } from './events.js';

export type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retryable'; status?: number; error: string }
  | { kind: 'permanent'; status?: number; error: string }
  | { kind: 'refused'; error: string };

export interface DeliverOptions {
  policy: DestinationPolicy;
  publicUrl: string;
  timeoutMs: number;
}

export const signature = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export async function deliverOnce(
  channel: Channel,
  event: NotificationEvent,
  deliveryId: string,
  o: DeliverOptions,
): Promise<AttemptOutcome> {
  try {
    await o.policy.check(channel.url);
  } catch (err) {
    if (err instanceof DestinationRefused) return { kind: 'refused', error: err.message };
    throw err;
  }
  const body = channel.type === 'slack' ? slackBody(event, o.publicUrl) : webhookBody(event, o.publicUrl);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'hexabase-aiops-notifier',
    'x-aiops-event': event.type,
    'x-aiops-delivery': deliveryId,
  };
  if (channel.type === 'webhook') headers['x-aiops-signature'] = signature(channel.secret, body);
  const budget = deadline(o.timeoutMs);
  try {
    const res = await fetch(channel.url, { method: 'POST', headers, body, redirect: 'manual', signal: budget.signal });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
    const error = `the receiver answered ${res.status}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) return { kind: 'retryable', status: res.status, error };
    return {
      kind: 'permanent',
      status: res.status,
      error: res.status >= 300 && res.status < 400 ? `${error} (redirects are not followed)` : error,
    };
  } catch (err) {
    return {
      kind: 'retryable',
      error: budget.expired() ? `no answer within ${o.timeoutMs / 1000} s` : (err as Error).message.slice(0, 300),
    };
  } finally {
    budget.clear();
  }
}
