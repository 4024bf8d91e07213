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
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      staticCSP: true,
      // swagger-ui redirects …/static/index.html to the docs root only when the URL ends there: with a query string
      // it redirects to itself, echoing the query into Location (a loop, and a header clients cannot parse once the
      // query is long; found by the fuzz suite). Its index page takes no query: always the root, without one.
      uiHooks: {
        onRequest: (request, reply, done) => {
          if (request.url.startsWith(`${DOCS_PREFIX}/static/index.html?`)) return void reply.redirect(`${DOCS_PREFIX}/`);
          done();
        },
      },
    });
    app.get('/openapi.json', { config: { auth: PUBLIC }, schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi', dependencies: ['auth-guard'] },
);
