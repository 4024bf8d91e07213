/**
 * POST /auth/validate: lets a client (or the control plane) check a token and see what it grants.
 * The token comes from the Authorization header or the body, never both.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuthError } from '../auth/auth-error.js';
import { extractBearerToken } from '../auth/bearer.js';
import { PermissionSchema } from '../auth/permissions.js';
import { PUBLIC } from '../http/route-auth.js';
import { ErrorBodySchema } from '../schemas/common.js';

const ValidBodySchema = z.object({
  valid: z.literal(true),
  sub: z.string(),
  workspace_id: z.string(),
  permissions: z.array(PermissionSchema),
  plan_type: z.enum(['shared', 'dedicated']),
  token_type: z.enum(['aiops-contract', 'internal-aiops-v1']),
  expires_at: z.string().describe('RFC 3339'),
});
const InvalidBodySchema = z.object({ valid: z.literal(false), reason: z.string(), message: z.string() });

const authValidateRoute: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/auth/validate',
    {
      config: { auth: PUBLIC },
      schema: {
        tags: ['auth'],
        summary: 'Validate a token and show what it grants',
        body: z
          .object({ token: z.string().min(1).max(65_536).optional() })
          .strict()
          .nullish(),
        response: { 200: ValidBodySchema, 401: InvalidBodySchema, 503: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      try {
        const token = pickToken(request.headers.authorization, request.raw.rawHeaders, request.body?.token);
        const auth = await app.verifyToken(token);
        return {
          valid: true as const,
          sub: auth.sub,
          workspace_id: auth.workspaceId,
          permissions: [...auth.permissions],
          plan_type: auth.planType,
          token_type: auth.tokenType,
          expires_at: new Date(auth.expiresAt * 1000).toISOString(),
        };
      } catch (err) {
        if (!(err instanceof AuthError) || err.statusCode !== 401) throw err;
        reply.header('WWW-Authenticate', `Bearer error="invalid_token", error_description="${err.reason}"`);
        return reply.code(401).send({ valid: false as const, reason: err.reason, message: err.message });
      }
    },
  );
};

function pickToken(header: string | undefined, rawHeaders: readonly string[], bodyToken: string | undefined): string {
  if (bodyToken !== undefined) {
    if (header !== undefined)
      throw new AuthError('multiple_tokens', 'send the token either in the Authorization header or in the body, not both');
    return bodyToken;
  }
  return extractBearerToken(header, rawHeaders);
}

export default authValidateRoute;
