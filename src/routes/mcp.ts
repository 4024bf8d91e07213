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
import { isInitializeRequest, JSONRPCMessageSchema, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { McpCaller } from '../../agents/mcp/server.js';
import { badRequest, HttpError } from '../http/http-errors.js';
import { authOf, requireScope } from '../http/route-auth.js';
import { auditRequestContext } from '../plugins/audit.js';
import { guardedErrorResponses } from '../schemas/common.js';

export interface McpRouteOptions {
  /** A server for one verified caller. */
  open(caller: McpCaller): Server;
}

/** The SDK transport's own bound on a batch (`MAX_BATCH_SIZE` of its requestBody module). */
const MAX_BATCH = 100;

/**
 * What the transport would refuse at the HTTP level, refused first, with this service's error shape
 * ({error, message, statusCode, requestId, reason}) like every other route: what reaches the transport
 * is a request it serves.
 */
function refusal(request: FastifyRequest): HttpError | undefined {
  const accept = String(request.headers.accept ?? '');
  if (!accept.includes('application/json') || !accept.includes('text/event-stream'))
    return new HttpError(406, 'an MCP client must accept both application/json and text/event-stream (Accept header)', {
      reason: 'not_acceptable',
    });
  const version = request.headers['mcp-protocol-version'];
  if (version !== undefined && !(SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(String(version)))
    return badRequest(
      `unsupported MCP protocol version ${String(version).slice(0, 40)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      {
        reason: 'unsupported_protocol_version',
      },
    );
  const body: unknown = request.body;
  const messages = Array.isArray(body) ? body : [body];
  if (body === undefined || body === null || messages.length === 0)
    return badRequest('the body must be a JSON-RPC 2.0 message or a batch of them', { reason: 'invalid_json_rpc' });
  if (messages.length > MAX_BATCH) return badRequest(`a batch holds at most ${MAX_BATCH} messages`, { reason: 'invalid_json_rpc' });
  const invalid = messages.findIndex((m) => !JSONRPCMessageSchema.safeParse(m).success);
  if (invalid >= 0)
    return badRequest(`${Array.isArray(body) ? `message ${invalid} of the batch` : 'the body'} is not a JSON-RPC 2.0 message`, {
      reason: 'invalid_json_rpc',
    });
  if (messages.length > 1 && messages.some((m) => isInitializeRequest(m)))
    return badRequest('an initialize request must be sent alone, not in a batch', { reason: 'invalid_json_rpc' });
  return undefined;
}

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
        response: { ...guardedErrorResponses, 406: guardedErrorResponses[400] },
      },
    },
    async (request, reply) => {
      const refused = refusal(request);
      if (refused) throw refused;
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
      schema: {
        tags: ['mcp'],
        summary: `Not used by a stateless MCP server (405)`,
        security: [{ bearerAuth: [] }],
        hide: true,
        response: { ...guardedErrorResponses, 405: guardedErrorResponses[400] },
      },
      handler: async () => {
        throw new HttpError(
          405,
          'this MCP server is stateless (no sessions, no server-sent stream): send JSON-RPC requests with POST /mcp',
          { reason: 'method_not_allowed' },
          { allow: 'POST' },
        );
      },
    });
  }
};

export default mcpRoutes;
