/**
 * The OpenAPI document, generated from the same zod schemas the routes validate with, served as
 * /openapi.json and browsable at /docs.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { PUBLIC } from '../http/route-auth.js';
import { DOCS_PREFIX } from './auth-guard.js';

export default fp<{ version: string }>(
  async (app, options) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Hexabase AIOps API',
          version: options.version,
          description:
            'Workspace-scoped operations analysis for Hexabase. Every /workspaces/{workspace_id}/… route needs a bearer JWT for that workspace and the scope it names.',
        },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      },
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true });
    app.get('/openapi.json', { config: { auth: PUBLIC }, schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi', dependencies: ['auth-guard'] },
);
