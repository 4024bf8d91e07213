/**
 * Part of the composition root: the MCP endpoint's servers (agents/mcp/server.ts). They use the
 * chat's toolbox (the model-facing tools plus diagnose_workspace), the remediation service for
 * proposals, and offer the open incidents as a resource. Calls are counted by tool and outcome.
 */
import { Counter, type Registry } from 'prom-client';
import { createMcpServer, type McpCaller, type McpResource } from '../../agents/mcp/server.js';
import type { RemediationProposer } from '../chat/remediation-port.js';
import type { SqlMonitorStore } from '../monitoring/monitor-store.js';
import { createChatToolBox } from '../../tools/index.js';
import type { AgentKit } from './agent-kit.js';

const OPEN_INCIDENTS_SHOWN = 50;

export function buildMcp(
  kit: AgentKit,
  deps: { proposer?: RemediationProposer; monitorStore: SqlMonitorStore; version: string; registry: Registry },
): { open(caller: McpCaller): ReturnType<typeof createMcpServer> } {
  const toolbox = createChatToolBox(kit.toolDeps, kit.toolOptions);
  const calls = new Counter({
    name: 'aiops_mcp_tool_calls_total',
    help: 'MCP tools/call requests by tool and outcome (ok, no_data, error, pending_approval)',
    labelNames: ['tool', 'outcome'] as const,
    registers: [deps.registry],
  });
  const known = new Set(toolbox.list().map((t) => t.name));
  const resources: McpResource[] = [
    {
      uri: 'aiops://incidents/open',
      name: 'open incidents',
      description: `The open incidents of your workspace, newest first (at most ${OPEN_INCIDENTS_SHOWN}), as the monitor stored them`,
      read: async (auth) => ({
        incidents: (await deps.monitorStore.listIncidents(auth.workspaceId, { statuses: ['open'], limit: OPEN_INCIDENTS_SHOWN })).map(
          (i) => ({
            id: i.id,
            title: i.title,
            severity: i.severity,
            resource: i.resource,
            opened_at: new Date(i.openedAtMs).toISOString(),
            investigation_run_id: i.runId,
          }),
        ),
      }),
    },
    {
      uri: 'aiops://tools/catalog',
      name: 'tool catalog',
      description: 'Every tool of the server with the permission it needs and whether it changes anything',
      read: async () => ({
        tools: toolbox.list().map((t) => ({ name: t.name, description: t.description, scope: t.scope, mutates: t.mutates })),
      }),
    },
  ];
  return {
    open: (caller) =>
      createMcpServer(
        {
          toolbox,
          resources,
          version: deps.version,
          ...(deps.proposer ? { proposer: deps.proposer } : {}),
          // An unknown tool name is the caller's text: counted under one label value, never as itself.
          onCall: (tool, outcome) => calls.inc({ tool: known.has(tool) ? tool : 'unknown', outcome }),
        },
        caller,
      ),
  };
}
