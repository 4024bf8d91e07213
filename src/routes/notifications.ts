/**
 * GET /workspaces/{id}/notifications (aiops:read: secrets and URL paths masked) and PUT (aiops:admin):
 * where the workspace's notifications go. Every destination must pass the operator's policy
 * (NOTIFY_ALLOWED_HOSTS; no internal address through DNS): anything else is a 400 saying why.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest } from '../http/http-errors.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { maskedSettings, NotificationSettingsInputSchema, settingsFrom, type NotificationSettingsStore } from '../notify/channel-store.js';
import { DestinationRefused, type DestinationPolicy } from '../notify/destination-policy.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

export interface NotificationRouteOptions {
  settings: NotificationSettingsStore;
  policy: DestinationPolicy;
  now: () => number;
}

const MaskedSchema = z.object({
  channels: z.array(z.object({ id: z.string(), type: z.enum(['webhook', 'slack']), url: z.string(), secret: z.string().optional() })),
  min_severity: z.enum(['info', 'warning', 'critical']),
  updated_at: z.string().nullable(),
  updated_by: z.string().nullable(),
});

const notificationRoutes: FastifyPluginAsyncZod<NotificationRouteOptions> = async (app, { settings, policy, now }) => {
  app.get(
    '/workspaces/:workspace_id/notifications',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['monitoring'],
        summary: "The workspace's notification channels (secrets and URL paths masked)",
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        response: { 200: MaskedSchema, ...guardedErrorResponses },
      },
    },
    async (request) => {
      const stored = await settings.get(authOf(request).workspaceId);
      return stored ? maskedSettings(stored) : { channels: [], min_severity: 'warning' as const, updated_at: null, updated_by: null };
    },
  );

  app.put(
    '/workspaces/:workspace_id/notifications',
    {
      config: { auth: requireScope('aiops:admin') },
      schema: {
        tags: ['monitoring'],
        summary: "Replace the workspace's notification channels: generic webhooks (signed) and Slack incoming webhooks",
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        body: NotificationSettingsInputSchema,
        response: { 200: MaskedSchema, ...guardedErrorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      for (const [i, channel] of request.body.channels.entries()) {
        try {
          await policy.check(channel.url);
        } catch (err) {
          if (err instanceof DestinationRefused)
            throw badRequest(`channels[${i}].url: ${err.message}`, { reason: 'destination_not_allowed' });
          throw err;
        }
      }
      const doc = settingsFrom(auth.workspaceId, request.body, auth.sub, new Date(now()).toISOString());
      await settings.put(doc);
      return maskedSettings(doc);
    },
  );
};

export default notificationRoutes;
