/**
 * What the service tells people about, and how a message looks: the generic webhook's JSON body and
 * Slack's incoming-webhook Block Kit message. An event's id derives from what happened (the incident
 * and the change), so publishing it twice is one event, delivered once per channel.
 */
import type { Severity } from '../analysis/types.js';

export const NOTIFICATION_TYPES = [
  'incident.opened',
  'incident.resolved',
  'investigation.completed',
  'remediation.pending',
  'remediation.executed',
  'remediation.failed',
  'remediation.expired',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotificationEvent {
  /** Stable for the same happening: the dedupe key of its deliveries. */
  id: string;
  type: NotificationType;
  workspaceId: string;
  occurredAt: string;
  severity: Severity;
  /** One line for people (titles, Slack's fallback text). */
  title: string;
  /** The object: the incident, the investigation's outcome, the remediation (no secrets). */
  object: Record<string, unknown>;
  /** Where the console shows it, under AIOPS_PUBLIC_URL. */
  uiPath: string;
}

export function webhookBody(event: NotificationEvent, publicUrl: string): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    workspace_id: event.workspaceId,
    occurred_at: event.occurredAt,
    severity: event.severity,
    title: event.title,
    object: event.object,
    ui_url: new URL(event.uiPath, publicUrl).toString(),
  });
}

/** Text from alerts and models is untrusted: Slack's control characters escaped, length bounded. */
export function slackText(text: string, max = 2800): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

const EMOJI: Record<Severity, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' };

export function slackBody(event: NotificationEvent, publicUrl: string): string {
  const url = new URL(event.uiPath, publicUrl).toString();
  const details = Object.entries(event.object)
    .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
    .slice(0, 8)
    .map(([k, v]) => `*${slackText(k, 40)}*: ${slackText(String(v), 300)}`)
    .join('\n');
  return JSON.stringify({
    text: slackText(`[${event.severity}] ${event.type} in ${event.workspaceId}: ${event.title}`, 300),
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${EMOJI[event.severity]} *${slackText(event.type, 40)}* · ${slackText(event.workspaceId, 128)}\n${slackText(event.title, 500)}`,
        },
      },
      ...(details ? [{ type: 'section', text: { type: 'mrkdwn', text: details } }] : []),
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            text: { type: 'plain_text', text: event.type === 'remediation.pending' ? 'Review and approve' : 'Open in console' },
            url,
          },
        ],
      },
    ],
  });
}
