/**
 * POST /webhooks/alertmanager: Prometheus Alertmanager's webhook receiver. A service credential, not a
 * user's JWT: `Authorization: Bearer <ALERTMANAGER_WEBHOOK_TOKEN>`, compared in constant time (the route
 * exists only when the token is configured). Each alert is stored in the workspace its tenant label
 * names (src/monitoring/alertmanager-intake.ts). Bounded: the body (ALERTMANAGER_MAX_BODY_BYTES), the
 * alerts per payload, and payloads per workspace per minute (ALERTMANAGER_PAYLOADS_PER_MINUTE; the
 * excess is answered 429 with Retry-After, so Alertmanager sends it again, and the redelivery is idempotent).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import rateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { z } from 'zod';
import { HttpError } from '../http/http-errors.js';
import { PUBLIC } from '../http/route-auth.js';
import { AlertmanagerPayloadSchema, type AlertmanagerIntake } from '../monitoring/alertmanager-intake.js';
import { ErrorBodySchema } from '../schemas/common.js';

export interface AlertmanagerWebhookOptions {
  intake: AlertmanagerIntake;
  token: string;
  bodyLimit: number;
  payloadsPerMinute: number;
  /** The shared Redis of the rate limits (every replica counts together); in process without it. */
  redis?: Redis;
  keyPrefix: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

const IntakeReportSchema = z.object({
  accepted: z.number().int().describe('New alerts stored'),
  updated: z.number().int().describe('Alerts already known: refreshed, resolved, or a redelivery'),
  dropped: z.number().int(),
  dropped_by_reason: z.record(z.string(), z.number().int()),
  rate_limited: z.array(z.string()),
});

const alertmanagerWebhook: FastifyPluginAsyncZod<AlertmanagerWebhookOptions> = async (app, o) => {
  const expected = digest(o.token);
  const intakes = new Counter({
    name: 'aiops_alert_intake_total',
    help: "Alerts received on Alertmanager's webhook by outcome (accepted, updated, dropped_<reason>), and refused payloads (unauthorized)",
    labelNames: ['outcome'] as const,
    registers: [app.metrics.registry],
  });
  // Per-workspace payload rate: @fastify/rate-limit's fixed window, keyed by the workspace rather than the request.
  await app.register(rateLimit, {
    global: false,
    timeWindow: 60_000,
    skipOnError: true,
    ...(o.redis ? { redis: o.redis, nameSpace: `${o.keyPrefix}rate:alert-intake:` } : {}),
  });
  const limiter = app.createRateLimit({
    max: o.payloadsPerMinute,
    keyGenerator: (req) => (req as unknown as { workspaceKey: string }).workspaceKey,
  });
  const admit = async (workspaceId: string) => {
    const outcome = await limiter({ routeOptions: { config: {} }, workspaceKey: workspaceId } as unknown as FastifyRequest);
    return outcome.isAllowed || !outcome.isExceeded;
  };

  app.post(
    '/webhooks/alertmanager',
    {
      config: { auth: PUBLIC },
      bodyLimit: o.bodyLimit,
      schema: {
        tags: ['monitoring'],
        summary: "Alertmanager's webhook (payload version 4): alerts routed to workspaces by their tenant label",
        description: 'Authorization: Bearer <ALERTMANAGER_WEBHOOK_TOKEN> (a service credential, not a user token).',
        body: AlertmanagerPayloadSchema,
        response: {
          200: IntakeReportSchema,
          400: ErrorBodySchema,
          401: ErrorBodySchema,
          429: ErrorBodySchema.loose(),
          503: ErrorBodySchema,
        },
      },
      // The credential is checked before the body is read: an unauthenticated sender cannot make us parse 1 MiB.
      preParsing: async (request) => {
        const header = request.headers.authorization ?? '';
        const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
        if (!presented || !timingSafeEqual(digest(presented), expected)) {
          intakes.inc({ outcome: 'unauthorized' });
          throw new HttpError(401, 'the webhook token is missing or wrong (Authorization: Bearer <ALERTMANAGER_WEBHOOK_TOKEN>)', {
            reason: 'invalid_webhook_token',
          });
        }
      },
    },
    async (request) => {
      const report = await o.intake.receive(request.body, { requestId: request.id, admit });
      if (report.accepted > 0) intakes.inc({ outcome: 'accepted' }, report.accepted);
      if (report.updated > 0) intakes.inc({ outcome: 'updated' }, report.updated);
      for (const [reason, n] of Object.entries(report.dropped_by_reason)) intakes.inc({ outcome: `dropped_${reason}` }, n);
      if (report.rate_limited.length > 0) {
        // The other workspaces' alerts are stored; these are not, and a redelivery of the whole payload is idempotent.
        throw new HttpError(
          429,
          `intake rate exceeded for ${report.rate_limited.length} workspace(s): retry later`,
          { reason: 'limit_exceeded', limit: 'alert_intake_per_minute', ...report },
          { 'Retry-After': '60' },
        );
      }
      return report;
    },
  );
};

export default alertmanagerWebhook;
