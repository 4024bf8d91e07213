/**
 * The Model Context Protocol endpoint: `POST /mcp`, Streamable HTTP in stateless mode (the SDK's
 * recommendation for servers behind a load balancer: any replica answers any request, nothing is
 * kept between requests). Every request carries the caller's bearer token, verified by the same guard
 * as every route (aiops:read to connect; each tool checks its own scope), and gets its own MCP server
 * bound to that identity (agents/mcp/server.ts). GET (a server-sent stream) and DELETE (ending a
 * session) belong to sessions, which a stateless server does not have: 405, as the transport
 * specification says.
 */
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpCaller } from '../../agents/mcp/server.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { auditRequestContext } from '../plugins/audit.js';
import { guardedErrorResponses } from '../schemas/common.js';

export interface McpRouteOptions {
  /** A server for one verified caller. */
  open(caller: McpCaller): Server;
}

const JSON_RPC_METHOD_NOT_ALLOWED = {
  jsonrpc: '2.0',
  error: { code: -32000, message: 'this MCP server is stateless: send JSON-RPC requests with POST /mcp' },
  id: null,
};

const mcpRoutes: FastifyPluginAsyncZod<McpRouteOptions> = async (app, { open }) => {
  app.post(
    '/mcp',
    {
      config: { auth: requireScope('aiops:read', 'chat') },
      schema: {
        tags: ['mcp'],
        summary: 'Model Context Protocol (Streamable HTTP, stateless): the toolbox for the workspace of the bearer token',
        description:
          'JSON-RPC 2.0 over HTTP POST; send `Accept: application/json, text/event-stream`. tools/list shows the tools your token may ' +
          'call; tools/call runs one (audited with channel mcp); resources/list and resources/read give the open incidents.',
        security: [{ bearerAuth: [] }],
        response: guardedErrorResponses,
      },
    },
    async (request, reply) => {
      const traceId = auditRequestContext(request).trace_id;
      const server = open({ auth: authOf(request), requestId: request.id, ...(traceId ? { traceId } : {}) });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      // The transport writes the response itself; the headers set so far (security headers, request id) go with it.
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value);
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (err) {
        request.log.error({ err }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null }));
        } else reply.raw.end();
      }
    },
  );

  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      config: { auth: requireScope('aiops:read', 'chat') },
      schema: { tags: ['mcp'], summary: `Not used by a stateless MCP server (405)`, security: [{ bearerAuth: [] }], hide: true },
      handler: async (_request, reply) => reply.code(405).header('allow', 'POST').send(JSON_RPC_METHOD_NOT_ALLOWED),
    });
  }
};

export default mcpRoutes;
