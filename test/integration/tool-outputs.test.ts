/**
 * Every tool owns its output: it declares the schema of its `ok` data and reads its own answers
 * (summary, evidence, subject). Each registered tool answers real data here (scenario workspaces on
 * the embedded metrics source, Prometheus-shaped alerts, a control plane that answers or fails, events
 * and logs in the platform's tables on chDB), and that data parses against the tool's declared output; its presentation is well-formed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseHandle } from '../../src/clients/clickhouse.js';
import { EvidenceRefSchema } from '../../src/chat/events.js';
import { deterministicPlan } from '../../src/analysis/plan.js';
import type { PromAlert } from '../../src/clients/prometheus.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { demoWorkspaces, scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { CHAT_TOOLS, createGraphToolBox, createToolBox, type ToolDefinition, type ToolDeps } from '../../tools/index.js';
import { fetchSeriesTool } from '../../tools/fetch-series.js';
import { createLogsTables, eventRow, logRow, securityRow, testLogsSource } from '../helpers/logs-tables.js';
import { ctxFor, FakeAuditLog } from '../unit/tools/fakes.js';

const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
const REGISTERED = [...CHAT_TOOLS, fetchSeriesTool as unknown as ToolDefinition<never, unknown>];
const analyst = (ws: string) => ctxFor(ws, ['aiops:read', 'aiops:analyze']);

// Events and logs of ws-leak in the platform's tables, on the embedded chDB of this process.
const dataDir = mkdtempSync(path.join(tmpdir(), 'aiops-tool-outputs-'));
const logs = testLogsSource(dataDir);
let ch: ClickHouseHandle;
beforeAll(async () => {
  ch = await createClickHouse({ embeddedPath: path.join(dataDir, 'clickhouse') });
  await createLogsTables(ch.client, 'hexabase_logs', { ttl: false }); // NOW is in 2025: the 30-day TTL would drop the rows
  await ch.client.insert({
    table: 'hexabase_logs.k8s_events',
    values: [
      eventRow(NOW, 'ws-leak', 20, { namespace: 'shop', name: 'cart-1' }),
      eventRow(NOW, 'ws-leak', 25, { reason: 'Pulled', event_type: 'Normal' }),
    ],
    format: 'JSONEachRow',
  });
  await ch.client.insert({
    table: 'hexabase_logs.otel_logs',
    values: [
      logRow(NOW, 'ws-leak', 10, 'out of memory: killing worker', { SeverityText: 'ERROR', SeverityNumber: 17 }),
      logRow(NOW, 'ws-leak', 12, 'GET /cart 200'),
      logRow(NOW, 'ws-leak', 14, 'GET /cart 200'),
      logRow(NOW, 'ws-leak', 90, 'GET /cart 200'),
    ],
    format: 'JSONEachRow',
  });
  await ch.client.insert({
    table: 'hexabase_logs.security_events',
    values: [securityRow(NOW, 'ws-leak', 5), securityRow(NOW, 'ws-leak', 6, { result: 'success', user_id: 'bob', risk_score: 80 })],
    format: 'JSONEachRow',
  });
});
afterAll(async () => {
  await logs.close();
  await ch?.close();
});

const ALERTS: PromAlert[] = [
  {
    labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'cart-1', severity: 'warning', workspace_id: 'ws-leak' },
    annotations: { summary: 'cart-1 restarts' },
    state: 'firing',
    activeAt: '2025-06-10T13:40:00Z',
    value: '3e+00',
  },
  { labels: { alertname: 'DiskAlmostFull', workspace_id: 'ws-leak' }, annotations: {}, state: 'pending' },
];

class AlertingSource extends EmbeddedMetricsSource {
  override async alerts(): Promise<PromAlert[]> {
    return ALERTS;
  }
}

function deps(controlPlane?: ToolDeps['controlPlane']): ToolDeps {
  const metrics = new AlertingSource({
    workspaces: [
      ...demoWorkspaces(),
      scenarioWorkspace('ws-leak', ['memory_leak', 'crash_loop_after_deploy']),
      scenarioWorkspace('ws-over', ['over_provisioned', 'pvc_filling', 'mining_pattern']),
    ],
    tenantLabel: 'workspace_id',
    now: () => NOW,
  });
  return { metrics, audit: new FakeAuditLog(), now: () => NOW, logs, ...(controlPlane ? { controlPlane } : {}) };
}

/** Calls that make each tool answer `ok` with real data (several shapes where a tool has several; findings where it finds any). */
const CALLS: Record<string, { ws: string; args: Record<string, unknown> }[]> = {
  workspace_overview: [
    { ws: 'ws-demo', args: {} },
    { ws: 'ws-leak', args: { namespace: 'shop', top: 3 } },
  ],
  query_metrics: [
    { ws: 'ws-demo', args: { name: 'memory_usage_vs_limits' } },
    { ws: 'ws-demo', args: { name: 'pvc_usage', mode: 'range', window_minutes: 360 } },
  ],
  list_alerts: [{ ws: 'ws-leak', args: {} }],
  list_events: [
    { ws: 'ws-leak', args: {} },
    { ws: 'ws-leak', args: { type: 'Warning', namespace: 'shop', limit: 5 } },
  ],
  query_logs: [
    { ws: 'ws-leak', args: {} },
    { ws: 'ws-leak', args: { min_severity: 'error', search: 'memory' } },
  ],
  log_patterns: [{ ws: 'ws-leak', args: { window_minutes: 120 } }],
  security_events: [
    { ws: 'ws-leak', args: {} },
    { ws: 'ws-leak', args: { group_by: 'user_id', min_risk_score: 50 } },
  ],
  detect_anomalies: [{ ws: 'ws-acme', args: {} }],
  forecast_capacity: [{ ws: 'ws-demo', args: { namespace: 'data' } }],
  recommend_rightsizing: [{ ws: 'ws-over', args: { window_minutes: 720 } }],
  check_compliance: [{ ws: 'ws-over', args: {} }],
  diagnose_workspace: [
    { ws: 'ws-leak', args: {} },
    { ws: 'ws-acme', args: { analysis_type: 'performance' } },
    { ws: 'ws-over', args: { analysis_type: 'capacity' } },
    { ws: 'ws-over', args: { analysis_type: 'security' } },
  ],
  fetch_series: [
    {
      ws: 'ws-leak',
      args: (() => {
        const plan = deterministicPlan({ analysisType: 'anomaly', timeRangeMinutes: 360, targets: [], endTime: NOW / 1000 }, 360);
        return { queries: plan.queries, window: plan.window };
      })(),
    },
  ],
};

describe('tool outputs', () => {
  it('every registered tool declares an output schema and a summary', () => {
    for (const def of REGISTERED) {
      expect(typeof def.output?.safeParse, def.name).toBe('function');
      expect(typeof def.summarize, def.name).toBe('function');
    }
  });

  it('propose_remediation is the only registered tool that never answers ok (its answer is a proposal)', () => {
    expect(REGISTERED.filter((def) => !Object.hasOwn(CALLS, def.name)).map((def) => def.name)).toEqual(['propose_remediation']);
  });

  const box = createToolBox(REGISTERED, deps({ workspaceOverview: async (id) => ({ workspace: { id }, projects: [] }) }));
  for (const [name, calls] of Object.entries(CALLS)) {
    it(`${name}: real answers parse against its output schema and present well-formed evidence`, async () => {
      const def = REGISTERED.find((d) => d.name === name)!;
      for (const { ws, args } of calls) {
        const outcome = await box.call(name, args, analyst(ws));
        expect(outcome.result.status, JSON.stringify(outcome.result).slice(0, 500)).toBe('ok');
        const data = (outcome.result as { data: unknown }).data;
        const parsed = def.output.safeParse(data);
        expect(parsed.success, parsed.error?.message).toBe(true);
        expect(outcome.summary).toBe(def.summarize(data));
        expect(outcome.summary.length).toBeGreaterThan(0);
        for (const e of outcome.evidence) expect(EvidenceRefSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
        // Only the overview and the bulk fetch offer nothing to cite.
        if (name !== 'workspace_overview' && name !== 'fetch_series') expect(outcome.evidence.length, outcome.summary).toBeGreaterThan(0);
      }
    });
  }

  it('workspace_overview: every control-plane state parses', async () => {
    const states = [
      undefined,
      { workspaceOverview: async () => ({ plan: 'shared' }) },
      {
        workspaceOverview: async () => {
          throw new Error('control plane down');
        },
      },
    ];
    for (const controlPlane of states) {
      const r = await createGraphToolBox(deps(controlPlane)).run('workspace_overview', {}, analyst('ws-demo'));
      expect(r.status).toBe('ok');
    }
  });

  it('the analysis tools cite findings and name their resources; query_metrics cites its enforced query', async () => {
    const anomalies = await box.call('detect_anomalies', {}, analyst('ws-acme'));
    expect(anomalies.evidence[0]).toMatchObject({ kind: 'finding' });
    expect(anomalies.subject?.resources.length).toBeGreaterThan(0);
    const query = await box.call('query_metrics', { name: 'cpu_usage' }, analyst('ws-demo'));
    expect(query.evidence).toEqual([expect.objectContaining({ kind: 'query', ref: expect.stringContaining('workspace_id="ws-demo"') })]);
    expect(query.subject).toBeUndefined();
    const alerts = await box.call('list_alerts', {}, analyst('ws-leak'));
    expect(alerts.summary).toBe('2 active alert(s)');
    expect(alerts.evidence).toEqual([
      { kind: 'alert', ref: 'KubePodCrashLooping', description: 'firing: cart-1 restarts' },
      { kind: 'alert', ref: 'DiskAlmostFull', description: 'pending: ' },
    ]);
  });
});
