/**
 * A whole analysis run traced in Langfuse (against a local server recording the OTLP posts): the
 * graph's nodes and its tool call become spans of one trace whose session is the run and whose user is the caller.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAnalysisGraph } from '../../agents/analysis/graph.js';
import { AnalysisRuns } from '../../agents/runs.js';
import type { AuthContext } from '../../src/auth/auth-context.js';
import { createTracing } from '../../src/llm/tracing.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { createGraphToolBox } from '../../tools/index.js';
import { collectingAudit } from '../helpers/fake-llm.js';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const auth: AuthContext = {
  sub: 'alice',
  workspaceId: 'ws-a',
  permissions: ['aiops:read', 'aiops:analyze'],
  planType: 'shared',
  orgIds: [],
  tokenType: 'aiops-contract',
  expiresAt: NOW / 1000 + 600,
  rawToken: 'x',
};
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const bodies: string[] = [];
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/api/public/otel/v1/traces') bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Span {
  name: string;
  traceId: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

describe('tracing a whole analysis run', () => {
  it('nests every node in one trace with session = run and user = sub', async () => {
    const tracing = (await createTracing({ publicKey: 'pk-lf-t', secretKey: 'sk-lf-t', host: url, environment: 'test' }))!;
    const metrics = new EmbeddedMetricsSource({
      workspaces: [scenarioWorkspace('ws-a', ['memory_leak'])],
      tenantLabel: 'workspace_id',
      now: () => NOW,
    });
    const toolbox = createGraphToolBox({ metrics, audit: collectingAudit(), now: () => NOW });
    const graph = buildAnalysisGraph(
      { toolbox, now: () => NOW },
      new SqliteSaver(new (await import('better-sqlite3')).default(':memory:')),
    );
    const runs = new AnalysisRuns(graph, {
      syncWaitMs: 60_000,
      callbacksFor: (runId, a, request) =>
        tracing.callbacks({ sessionId: runId, userId: a.sub, tags: ['analysis'], metadata: { request_id: request.requestId } }),
    });
    const view = await runs.start(
      auth,
      { analysisType: 'anomaly', timeRangeMinutes: 360, targets: [], endTime: NOW / 1000 },
      { requestId: 'req-77', traceId: TRACE_ID },
    );
    await tracing.shutdown();

    const spans = bodies.flatMap((b) =>
      (JSON.parse(b) as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] }).resourceSpans.flatMap((r) =>
        r.scopeSpans.flatMap((s) => s.spans),
      ),
    );
    const names = spans.map((s) => s.name);
    for (const node of ['planner', 'metrics-query', 'anomaly-scoring', 'diagnose', 'approval-gate', 'fetch_series'])
      expect(names).toContain(node);
    // One trace, and it is the request's: the audit rows of the request carry the same trace id.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([TRACE_ID]));
    const attrs = spans.flatMap((s) => s.attributes ?? []);
    expect(attrs).toContainEqual(
      expect.objectContaining({ key: 'session.id', value: expect.objectContaining({ stringValue: view.run_id }) }),
    );
    expect(attrs).toContainEqual(expect.objectContaining({ key: 'user.id', value: expect.objectContaining({ stringValue: 'alice' }) }));
    expect(JSON.stringify(attrs)).toContain('req-77');
  });
});
