/**
 * The MCP endpoint end to end: the SDK's own client (Streamable HTTP) against the real app listening
 * on a port, with the real remediation service, audit trail (spool → embedded chDB) and scenario
 * metrics. Lists only what the token may call, refuses a scope the token lacks, cannot be pointed at
 * another workspace, turns propose_remediation into a pending remediation (never an execution),
 * audits every call with channel mcp, serves the open incidents as a resource, and counts calls.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const ALL = ['aiops:read', 'aiops:analyze', 'aiops:remediate'];

let key: RsaKey;
let app: FastifyInstance;
let url: URL;
const clients: Client[] = [];

const token = (ws: string, permissions = ALL, sub = 'alice') => contractToken(key, { workspaceId: ws, permissions, sub });

async function connect(tok: string): Promise<Client> {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: bearer(tok) } }));
  clients.push(client);
  return client;
}

type Text = { type: string; text: string };
const texts = (r: object) => (((r as { content?: unknown }).content ?? []) as Text[]).map((c) => c.text).join('\n');

async function auditEvents(ws: string, predicate: (e: AuditRow) => boolean, timeoutMs = 15_000): Promise<AuditRow[]> {
  const admin = await contractToken(key, { workspaceId: ws, sub: 'root', permissions: ['aiops:admin'] });
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ url: `/workspaces/${ws}/audit?event_type=tool_call&limit=500`, headers: bearer(admin) });
    expect(res.statusCode, res.body).toBe(200);
    const events = res.json<{ events: AuditRow[] }>().events.filter(predicate);
    if (events.length > 0 || Date.now() > until) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
}
type AuditRow = {
  user_id: string;
  workspace_id: string;
  resource_id: string;
  request_id: string;
  trace_id: string;
  details: Record<string, unknown>;
};

beforeAll(async () => {
  key = await rsaKey();
  const metrics = new EmbeddedMetricsSource({
    workspaces: [scenarioWorkspace('ws-a', ['memory_leak', 'pvc_filling']), scenarioWorkspace('ws-b', ['over_provisioned'])],
    tenantLabel: 'workspace_id',
    now: () => NOW,
  });
  app = await testApp(testEnv(key, { AIOPS_DATA_DIR: `/tmp/aiops-test-data/mcp-${process.pid}` }), {
    metricsSource: metrics,
    now: () => NOW,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  url = new URL(`http://127.0.0.1:${address.port}/mcp`);
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await app?.close();
});

describe('MCP endpoint', () => {
  it('lists only the tools the token may call, with their input schemas', async () => {
    const reader = await connect(await token('ws-a', ['aiops:read']));
    const listed = (await reader.listTools()).tools;
    const names = listed.map((t) => t.name).sort();
    expect(names).toEqual([
      'list_alerts',
      'list_events',
      'log_patterns',
      'query_logs',
      'query_metrics',
      'security_events',
      'workspace_overview',
    ]);
    expect(listed.find((t) => t.name === 'query_metrics')!.inputSchema.type).toBe('object');

    const analyst = await connect(await token('ws-a'));
    const all = (await analyst.listTools()).tools.map((t) => t.name);
    expect(all).toEqual(expect.arrayContaining(['detect_anomalies', 'diagnose_workspace', 'propose_remediation']));
    expect(all).not.toContain('fetch_series'); // never offered outside the analysis graph
  });

  it('runs a tool for the workspace of the token and audits the call with channel mcp', async () => {
    const client = await connect(await token('ws-a', ALL, 'mcp-user-1'));
    const result = await client.callTool({ name: 'detect_anomalies', arguments: {} });
    expect(result.isError, texts(result)).toBeFalsy();
    expect(texts(result)).toMatch(/anomal/i);
    expect((result.structuredContent as { data: { series_analysed: number } }).data.series_analysed).toBeGreaterThan(0);
    const events = await auditEvents('ws-a', (e) => e.user_id === 'mcp-user-1' && e.resource_id === 'detect_anomalies');
    expect(events).toHaveLength(1);
    expect(events[0]!.workspace_id).toBe('ws-a');
    expect(events[0]!.trace_id).toMatch(/^[\da-f]{32}$/); // no traceparent sent: the service started a trace for the request
    expect(events[0]!.details).toMatchObject({ channel: 'mcp', status: 'ok', required_scope: 'aiops:analyze' });
  });

  it('refuses a tool the token has no scope for, and audits the refusal', async () => {
    const reader = await connect(await token('ws-a', ['aiops:read'], 'mcp-reader-2'));
    const result = await reader.callTool({ name: 'detect_anomalies', arguments: {} });
    expect(result.isError).toBe(true);
    expect(texts(result)).toContain('missing scope: detect_anomalies needs aiops:analyze');
    const events = await auditEvents('ws-a', (e) => e.user_id === 'mcp-reader-2');
    expect(events[0]!.details).toMatchObject({ channel: 'mcp', status: 'denied' });
  });

  it('cannot be pointed at another workspace: arguments naming one are refused, answers hold only the own workspace', async () => {
    const client = await connect(await token('ws-b'));
    const smuggled = await client.callTool({ name: 'workspace_overview', arguments: { workspace_id: 'ws-a' } });
    expect(smuggled.isError).toBe(true);
    expect(texts(smuggled)).toMatch(/invalid arguments for workspace_overview/);
    const query = await client.callTool({
      name: 'query_metrics',
      arguments: { promql: 'container_memory_working_set_bytes{workspace_id="ws-a"}' },
    });
    expect(JSON.stringify(query)).not.toMatch(/"ws-a"|shop-ws-a/);
    const own = await client.callTool({ name: 'detect_anomalies', arguments: {} });
    expect(JSON.stringify(own.structuredContent)).not.toContain('ws-a');
  });

  it('turns propose_remediation into a pending remediation that nothing executes', async () => {
    const client = await connect(await token('ws-a', ALL, 'mcp-proposer'));
    const result = await client.callTool({
      name: 'propose_remediation',
      arguments: {
        summary: 'the cache leaks memory',
        actions: [
          {
            action_type: 'restart_application',
            target_resource: 'deployment/cache',
            namespace: 'shop',
            parameters: {},
            reason: 'memory grows without bound',
            risk: 'medium',
          },
        ],
      },
    });
    expect(result.isError, texts(result)).toBeFalsy();
    const remediation = (result.structuredContent as { remediation: { id: string; status: string; source: { kind: string } } }).remediation;
    expect(remediation.status).toBe('pending_approval');
    expect(remediation.source.kind).toBe('mcp');
    expect(texts(result)).toContain('Nothing was executed');
    const listed = await app.inject({ url: `/workspaces/ws-a/remediations/${remediation.id}`, headers: bearer(await token('ws-a')) });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json<{ status: string; requested_by: string }>()).toMatchObject({
      status: 'pending_approval',
      requested_by: 'mcp-proposer',
    });
  });

  it('serves the open incidents and the tool catalog as resources', async () => {
    const client = await connect(await token('ws-a', ['aiops:read']));
    const uris = (await client.listResources()).resources.map((r) => r.uri).sort();
    expect(uris).toEqual(['aiops://incidents/open', 'aiops://tools/catalog']);
    const incidents = await client.readResource({ uri: 'aiops://incidents/open' });
    expect(JSON.parse((incidents.contents[0] as { text: string }).text)).toEqual({ incidents: [] });
    await expect(client.readResource({ uri: 'aiops://incidents/ws-b' })).rejects.toThrow(/unknown resource/);
  });

  it('needs a valid token, and answers 405 to the session methods of a stateless server', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    const anonymous = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(init),
    });
    expect(anonymous.status).toBe(401);
    const get = await fetch(url, { headers: bearer(await token('ws-a')) });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('counts calls by tool and outcome on /metrics, with no workspace id', async () => {
    const client = await connect(await token('ws-a'));
    await client.callTool({ name: 'no_such_tool', arguments: {} });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/aiops_mcp_tool_calls_total\{tool="detect_anomalies",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/aiops_mcp_tool_calls_total\{tool="unknown",outcome="error"\} 1/);
    expect(text).toMatch(/aiops_mcp_tool_calls_total\{tool="propose_remediation",outcome="pending_approval"\} 1/);
    expect(
      text
        .split('\n')
        .filter((l) => l.startsWith('aiops_mcp_'))
        .join('\n'),
    ).not.toMatch(/ws-a/);
  });
});

describe('MCP list_alerts while the service monitors', () => {
  it('answers the alerts the monitor keeps, as the console and GET /alerts show them', async () => {
    const metrics = new EmbeddedMetricsSource({
      workspaces: [scenarioWorkspace('ws-mon', ['memory_leak'])],
      tenantLabel: 'workspace_id',
      now: () => NOW,
    });
    // chDB takes one data directory per process: the first app gives its own up to this one.
    await app.close();
    const monitored = await testApp(
      testEnv(key, {
        AIOPS_DATA_DIR: `/tmp/aiops-test-data/mcp-${process.pid}`,
        MONITOR_ENABLED: 'true',
        MONITOR_WORKSPACES: 'ws-mon',
        MONITOR_FOR_EVALUATIONS: '1',
      }),
      { metricsSource: metrics, now: () => NOW },
    );
    try {
      await monitored.listen({ port: 0, host: '127.0.0.1' });
      const tok = await token('ws-mon', ['aiops:read']);
      const until = Date.now() + 30_000;
      let stored: { alerts: { name: string }[] } = { alerts: [] };
      while (stored.alerts.length === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        stored = (await monitored.inject({ url: '/workspaces/ws-mon/alerts', headers: bearer(tok) })).json();
      }
      expect(stored.alerts.length).toBeGreaterThan(0);
      const client = new Client({ name: 'mcp-test', version: '1.0.0' });
      const port = (monitored.server.address() as { port: number }).port;
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: bearer(tok) } }),
      );
      clients.push(client);
      const result = await client.callTool({ name: 'list_alerts', arguments: {} });
      expect(result.isError, texts(result)).toBeFalsy();
      const data = (result.structuredContent as { data: { count: number; alerts: { name: string; source: string }[] } }).data;
      expect(data.count).toBe(stored.alerts.length);
      expect(data.alerts.map((a) => a.name).sort()).toEqual(stored.alerts.map((a) => a.name).sort());
      expect(data.alerts.every((a) => a.source === 'aiops')).toBe(true);
    } finally {
      await monitored.close();
    }
  }, 60_000);
});
