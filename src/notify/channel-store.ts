/**
 * A workspace's notification settings: its channels (a generic webhook with its signing secret, or a
 * Slack incoming webhook) and the least severity worth a message. One document per workspace in
 * PostgreSQL or SQLite; every channel has a stable id (delivery ids and dedupe keys use it). Reading
 * them back for a person masks what is secret: the webhook secret, and the URL's path and query
 * (a Slack webhook URL *is* its credential).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SeveritySchema } from '../analysis/types.js';
import { schemaOnce } from '../storage/schema-once.js';
import type { SqlDriver } from '../storage/sql-drivers.js';

const Url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2048);

export const ChannelInputSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    url: Url,
    secret: z.string().min(16, 'secret must be at least 16 characters (it signs every delivery)').max(256),
  }),
  z.strictObject({ type: z.literal('slack'), url: Url }),
]);

export const NotificationSettingsInputSchema = z.strictObject({
  channels: z.array(ChannelInputSchema).max(10, 'at most 10 channels per workspace'),
  min_severity: SeveritySchema.default('warning'),
});
export type NotificationSettingsInput = z.infer<typeof NotificationSettingsInputSchema>;

export type Channel = z.infer<typeof ChannelInputSchema> & { id: string };

export interface NotificationSettings {
  workspaceId: string;
  channels: Channel[];
  minSeverity: z.infer<typeof SeveritySchema>;
  updatedAt: string;
  updatedBy: string;
}

/** A channel's id: the same channel (type and URL) keeps its id across saves. */
const channelId = (c: z.infer<typeof ChannelInputSchema>) => createHash('sha256').update(`${c.type}\n${c.url}`).digest('hex').slice(0, 16);

export function settingsFrom(workspaceId: string, input: NotificationSettingsInput, by: string, at: string): NotificationSettings {
  return {
    workspaceId,
    channels: input.channels.map((c) => ({ ...c, id: channelId(c) })),
    minSeverity: input.min_severity,
    updatedAt: at,
    updatedBy: by,
  };
}

/** What a reader sees: no secret, and only the origin of every URL. */
export function maskedSettings(s: NotificationSettings) {
  return {
    channels: s.channels.map((c) => {
      const u = new URL(c.url);
      return {
        id: c.id,
        type: c.type,
        url: `${u.origin}${u.pathname === '/' && !u.search ? '/' : '/…'}`,
        ...(c.type === 'webhook' ? { secret: '••••' } : {}),
      };
    }),
    min_severity: s.minSeverity,
    updated_at: s.updatedAt,
    updated_by: s.updatedBy,
  };
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS aiops_notification_settings (
  workspace_id TEXT PRIMARY KEY,
  doc TEXT NOT NULL)`;

export class NotificationSettingsStore {
  private readonly ready: () => Promise<void>;

  constructor(private readonly db: SqlDriver) {
    this.ready = schemaOnce(db, 'notify', [SCHEMA]);
  }

  async get(workspaceId: string): Promise<NotificationSettings | undefined> {
    await this.ready();
    const { rows } = await this.db.query('SELECT doc FROM aiops_notification_settings WHERE workspace_id = ?', [workspaceId]);
    return rows[0] ? (JSON.parse(String(rows[0].doc)) as NotificationSettings) : undefined;
  }

  async put(settings: NotificationSettings): Promise<void> {
    await this.ready();
    const doc = JSON.stringify(settings);
    await this.db.transaction(`notify:${settings.workspaceId}`, async (tx) => {
      const { rowCount } = await tx.query('UPDATE aiops_notification_settings SET doc = ? WHERE workspace_id = ?', [
        doc,
        settings.workspaceId,
      ]);
      if (rowCount === 0)
        await tx.query('INSERT INTO aiops_notification_settings (workspace_id, doc) VALUES (?, ?)', [settings.workspaceId, doc]);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
