/**
 * The toolbox as a Model Context Protocol server, for one verified caller. Built per HTTP request
 * (the transport is stateless, src/routes/mcp.ts): the caller's AuthContext is fixed here, so the
 * workspace and the scopes come from the bearer token only, never from a tool's arguments.
 *
 * Every call goes through the one door every graph uses (`ToolBox.call`): scope, argument and answer
 * validation, approval rule, cache, timeout and the `tool_call` audit event (with `channel: mcp`).
 * `propose_remediation` only proposes: its validated proposal becomes a *pending* remediation through
 * the remediation service, to be approved in the API or console by someone with aiops:remediate.
 *
 * The SDK's low-level `Server` is used on purpose: `McpServer.registerTool` would validate arguments
 * itself, before the toolbox, and a refused call would then go unaudited.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ProposedAction } from '../../src/analysis/types.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { hasPermission } from '../../src/auth/permissions.js';
import { refusalOf, toRequestAction, type RemediationProposer } from '../../src/chat/remediation-port.js';
import { expectedSchema, type RemediationProposal, type ToolBox, type ToolDefinition, type ToolResult } from '../../tools/index.js';

/** Read-only views an MCP client may read as resources (each answers for the caller's workspace only). */
export interface McpResource {
  /** e.g. `aiops://incidents/open`; the workspace is never part of it (it is the token's). */
  uri: string;
  name: string;
  description: string;
  read(auth: AuthContext): Promise<unknown>;
}

export interface McpDeps {
  toolbox: ToolBox;
  /** Turns propose_remediation's proposals into pending remediations; absent: the call says remediation is unavailable. */
  proposer?: RemediationProposer;
  resources?: readonly McpResource[];
  version: string;
  /** Told of every tool call's outcome (a metric counts them; never a workspace id). */
  onCall?: (tool: string, outcome: 'ok' | 'no_data' | 'error' | 'pending_approval') => void;
}

export interface McpCaller {
  auth: AuthContext;
  requestId: string;
  traceId?: string;
}

const text = (value: string): CallToolResult['content'][number] => ({ type: 'text', text: value });

/** The tools this caller may call, as MCP lists them (input schemas are the toolbox's own JSON Schemas). */
function listedTools(toolbox: ToolBox, auth: AuthContext): Tool[] {
  return toolbox
    .list()
    .filter((def) => hasPermission(auth.permissions, def.scope))
    .map((def: ToolDefinition) => {
      const { $schema: _ignored, ...schema } = (expectedSchema(def) ?? { type: 'object', properties: {} }) as Record<string, unknown>;
      return {
        name: def.name,
        description: `${def.description} (needs ${def.scope})`,
        inputSchema: { type: 'object', ...schema } as Tool['inputSchema'],
        annotations: { readOnlyHint: !def.mutates, destructiveHint: false, openWorldHint: false },
      };
    });
}

export function createMcpServer(deps: McpDeps, caller: McpCaller): Server {
  const server = new Server(
    { name: 'hexabase-aiops', version: deps.version },
    {
      capabilities: { tools: {}, ...(deps.resources?.length ? { resources: {} } : {}) },
      instructions:
        'Tools of Hexabase AIOps for the workspace of your token: metrics, alerts, anomalies, forecasts, right-sizing, ' +
        'compliance, diagnosis. propose_remediation only proposes: a human approves in the AIOps console or API.',
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listedTools(deps.toolbox, caller.auth) }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const { result, summary } = await deps.toolbox.call(
      name,
      request.params.arguments ?? {},
      {
        auth: caller.auth,
        requestId: caller.requestId,
        channel: 'mcp',
        ...(caller.traceId ? { traceId: caller.traceId } : {}),
        signal: extra.signal,
      },
      { asJson: true },
    );
    const answer = await answerOf(result, summary, deps, caller);
    deps.onCall?.(name.slice(0, 64), answer.outcome);
    return answer.content;
  });

  const resources = deps.resources ?? [];
  if (resources.length > 0) {
    server.setRequestHandler(ListResourcesRequestSchema, () => ({
      resources: resources.map((r) => ({ uri: r.uri, name: r.name, description: r.description, mimeType: 'application/json' })),
    }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      const resource = resources.find((r) => r.uri === request.params.uri);
      if (!resource) throw new Error(`unknown resource ${request.params.uri.slice(0, 200)}; see resources/list`);
      const value = await resource.read(caller.auth);
      return { contents: [{ uri: resource.uri, mimeType: 'application/json', text: JSON.stringify(value) }] };
    });
  }
  return server;
}

type Answer = { content: CallToolResult; outcome: 'ok' | 'no_data' | 'error' | 'pending_approval' };

async function answerOf(result: ToolResult, summary: string, deps: McpDeps, caller: McpCaller): Promise<Answer> {
  switch (result.status) {
    case 'ok':
      return {
        content: { content: [text(summary), text(JSON.stringify(result.data))], structuredContent: { data: result.data } },
        outcome: 'ok',
      };
    case 'no_data':
      return { content: { content: [text(`no data: ${result.message}`)] }, outcome: 'no_data' };
    case 'error':
      return {
        content: { content: [text(result.message), ...(result.details ? [text(JSON.stringify(result.details))] : [])], isError: true },
        outcome: 'error',
      };
    case 'approval_required':
      return propose(result, deps, caller);
  }
}

/** A validated proposal becomes a pending remediation: the answer says where it waits for approval. */
async function propose(result: Extract<ToolResult, { status: 'approval_required' }>, deps: McpDeps, caller: McpCaller): Promise<Answer> {
  if (!deps.proposer) {
    return {
      content: { content: [text('remediation is not available in this deployment: nothing was proposed')], isError: true },
      outcome: 'error',
    };
  }
  const proposal = result.proposal as Partial<RemediationProposal>;
  try {
    const remediation = await deps.proposer.propose(caller.auth, {
      actions: ((proposal.actions ?? []) as ProposedAction[]).map(toRequestAction),
      ...(proposal.summary ? { reason: proposal.summary } : {}),
      source: { kind: 'mcp', request_id: caller.requestId },
    });
    const what = remediation.plan.map((p) => p.description).join('; ');
    return {
      content: {
        content: [
          text(
            `remediation ${remediation.id} is ${remediation.status} (risk ${remediation.risk}): ${what}. ` +
              'Nothing was executed: a person with aiops:remediate approves or rejects it in the AIOps console or API ' +
              `(POST /workspaces/{workspace_id}/remediations/${remediation.id}/approve).`,
          ),
        ],
        structuredContent: { remediation },
      },
      outcome: 'pending_approval',
    };
  } catch (err) {
    const refusal = refusalOf(err);
    return {
      content: {
        content: [text(`the remediation service refused: ${refusal.message}${refusal.reason ? ` (${refusal.reason})` : ''}`)],
        isError: true,
      },
      outcome: 'error',
    };
  }
}
