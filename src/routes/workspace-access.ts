/**
 * GET /workspaces/{workspace_id}/access: who the caller is in this workspace and what it may do.
 * The console uses it to show or hide actions; it is also the smallest guarded workspace route.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { effectivePermissions, PermissionSchema } from '../auth/permissions.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { guardedErrorResponses, WorkspaceParamsSchema } from '../schemas/common.js';

const AccessSchema = z.object({
  sub: z.string(),
  workspace_id: z.string(),
  plan_type: z.enum(['shared', 'dedicated']),
  permissions: z.array(PermissionSchema).describe('As granted by the token'),
  effective_permissions: z.array(PermissionSchema).describe('With aiops:admin expanded'),
  token_type: z.enum(['aiops-contract', 'internal-aiops-v1']),
  expires_at: z.string(),
  cross_workspace_from: z.string().optional().describe('Set when an allow-listed internal subject reads another workspace'),
});

const workspaceAccessRoute: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/workspaces/:workspace_id/access',
    {
      config: { auth: requireScope('aiops:read') },
      schema: {
        tags: ['workspaces'],
        summary: "The caller's identity and permissions in this workspace",
        security: [{ bearerAuth: [] }],
        params: WorkspaceParamsSchema,
        response: { 200: AccessSchema, ...guardedErrorResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return {
        sub: auth.sub,
        workspace_id: auth.workspaceId,
        plan_type: auth.planType,
        permissions: [...auth.permissions],
        effective_permissions: effectivePermissions(auth.permissions),
        token_type: auth.tokenType,
        expires_at: new Date(auth.expiresAt * 1000).toISOString(),
        ...(auth.crossWorkspaceFrom ? { cross_workspace_from: auth.crossWorkspaceFrom } : {}),
      };
    },
  );
};

export default workspaceAccessRoute;
