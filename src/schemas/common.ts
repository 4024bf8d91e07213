/** Schemas shared by several routes (the OpenAPI document is generated from these). */
import { z } from 'zod';
import { PermissionSchema } from '../auth/permissions.js';
import { WorkspaceIdSchema } from '../auth/token-claims.js';

export const ErrorBodySchema = z
  .object({
    error: z.string().describe('HTTP reason phrase'),
    message: z.string().describe('What went wrong, for humans'),
    statusCode: z.number().int(),
    requestId: z.string().describe('Correlates with logs and audit rows'),
    reason: z.string().optional().describe('Stable machine-readable reason (auth and authorization failures)'),
    required_scope: PermissionSchema.optional(),
    details: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Validation problems by field path'),
    limit: z
      .string()
      .optional()
      .describe(
        'The limit that refused the request: with 429 a rate, concurrency or quota (e.g. analyze_per_minute, concurrent_analyses, pending_remediations); with a 400 limit_exceeded metrics read the bound hit (range, step, points_per_series, lookback, future, series, response_size)',
      ),
    retry_after_seconds: z.number().int().optional().describe('With 429: when to try again (also in Retry-After)'),
  })
  // Loose: the error handler adds context fields of its own (e.g. max, run_id, upstream_status); none is secret.
  .loose()
  .describe('Error');

export const WorkspaceParamsSchema = z.object({
  workspace_id: WorkspaceIdSchema.describe('The workspace (vCluster) id; must match the token'),
});

/** The error responses every guarded route can produce. */
export const guardedErrorResponses = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  429: ErrorBodySchema,
  503: ErrorBodySchema,
} as const;
