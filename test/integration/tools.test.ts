/** Every real tool on the embedded metrics source (scenario and demo workspaces), through the toolbox. */
import { describe, expect, it } from 'vitest';
import type { PrometheusClient } from '../../src/clients/prometheus.js';
import type { Finding } from '../../src/analysis/types.js';
import { EmbeddedMetricsSource } from '../../src/metrics/embedded/embedded-source.js';
import { PrometheusMetricsSource } from '../../src/metrics/prometheus-source.js';
import { demoWorkspaces, scenarioWorkspace } from '../../src/metrics/scenarios/index.js';
import { createDefaultToolBox } from '../../tools/index.js';
import type { ToolResult } from '../../tools/tool.js';
import { ctxFor, FakeAuditLog } from '../unit/tools/fakes.js';

const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
const workspaces = [
  ...demoWorkspaces(),
  scenarioWorkspace('ws-leak', ['memory_leak']),
  scenarioWorkspace('ws-mine', ['mining_pattern']),
  scenarioWorkspace('ws-over', ['over_provisioned', 'pvc_filling']),
];
const audit = new FakeAuditLog();
const metrics = new EmbeddedMetricsSource({ workspaces, tenantLabel: 'workspace_id', now: () => NOW });
const box = createDefaultToolBox({ metrics, audit, now: () => NOW });
const analyst = (ws: string) => ctxFor(ws, ['aiops:read', 'aiops:analyze']);

function data<T>(r: ToolResult): T {
  expect(r.status, JSON.stringify(r).slice(0, 500)).toBe('ok');
  return (r as { data: T }).data;
}
const findingsOf = (r: ToolResult) => data<{ findings: Finding[] }>(r).findings;

describe('tools on the embedded metrics source', () => {
  it('workspace_overview counts the demo workspace', async () => {
    const d = data<{ counts: { namespaces: number; pods: number; containers: number }; namespaces: string[]; top_cpu: unknown[] }>(
      await box.run('workspace_overview', {}, ctxFor('ws-demo', ['aiops:read'])),
    );
    expect(d.namespaces).toEqual(['data', 'shop']);
    expect(d.counts.pods).toBeGreaterThanOrEqual(7);
    expect(d.counts.containers).toBe(d.counts.pods);
    expect(d.top_cpu).toHaveLength(5);
  });

  it('query_metrics: catalog instant and range, compact', async () => {
    const instant = data<{ series: { labels: Record<string, string>; value: number }[] }>(
      await box.run('query_metrics', { name: 'memory_usage_vs_limits', filters: { namespace: 'shop' } }, ctxFor('ws-demo', ['aiops:read'])),
    );
    expect(instant.series.length).toBeGreaterThan(0);
    expect(instant.series.every((s) => s.labels.namespace === 'shop')).toBe(true);
    const range = data<{ series: { points: unknown[]; max: number }[]; enforced_query: string }>(
      await box.run('query_metrics', { name: 'pvc_usage', mode: 'range', window_minutes: 360 }, ctxFor('ws-demo', ['aiops:read'])),
    );
    expect(range.enforced_query).toContain('workspace_id="ws-demo"');
    expect(range.series[0]!.points.length).toBeLessThanOrEqual(61);
  });

  it('query_metrics: PromQL needs aiops:analyze, and the embedded source says it needs Prometheus', async () => {
    expect(await box.run('query_metrics', { promql: 'up' }, ctxFor('ws-demo', ['aiops:read']))).toMatchObject({
      status: 'error',
      message: expect.stringContaining('aiops:analyze'),
    });
    expect(await box.run('query_metrics', { promql: 'up' }, analyst('ws-demo'))).toMatchObject({
      status: 'error',
      details: { kind: 'needs_prometheus' },
    });
  });

  it('query_metrics: PromQL naming another workspace is refused by the data layer', async () => {
    let sent = 0;
    const client = {
      instantAnswer: async () => {
        sent++;
        const data = { resultType: 'vector', result: [] };
        return { data, text: JSON.stringify({ status: 'success', data }) };
      },
    } as unknown as PrometheusClient;
    const prom = createDefaultToolBox({
      metrics: new PrometheusMetricsSource({ client, tenantLabel: 'workspace_id', cacheTtlSeconds: 0, now: () => NOW / 1000 }),
      audit: new FakeAuditLog(),
      now: () => NOW,
    });
    const r = await prom.run('query_metrics', { promql: 'sum(container_memory_working_set_bytes{workspace_id="ws-b"})' }, analyst('ws-a'));
    expect(r).toMatchObject({ status: 'error', details: { kind: 'invalid_query' } });
    expect(sent).toBe(0);
    expect(await prom.run('query_metrics', { promql: 'sum(up)' }, analyst('ws-a'))).toMatchObject({ status: 'no_data' });
    expect(sent).toBe(1);
  });

  it('list_alerts: none from the embedded source', async () => {
    expect(await box.run('list_alerts', {}, ctxFor('ws-demo', ['aiops:read']))).toMatchObject({ status: 'no_data' });
  });

  it('detect_anomalies finds the acme CPU saturation', async () => {
    const findings = findingsOf(await box.run('detect_anomalies', { window_minutes: 360 }, analyst('ws-acme')));
    expect(findings.some((f) => f.kind === 'anomaly' && f.resource.workload === 'search')).toBe(true);
    expect(findings.every((f) => f.kind === 'anomaly' && f.evidence.length > 0)).toBe(true);
  });

  it('detect_anomalies on a healthy workspace reports no warning', async () => {
    const r = await box.run('detect_anomalies', { min_severity: 'warning' }, analyst('ws-healthy'));
    expect(r.status === 'no_data' || (r.status === 'ok' && findingsOf(r).length === 0)).toBe(true);
  });

  it('forecast_capacity: the filling PVC of the demo workspace', async () => {
    const findings = findingsOf(await box.run('forecast_capacity', { namespace: 'data' }, analyst('ws-demo')));
    const pvc = findings.find((f) => f.resource.persistentvolumeclaim === 'data-postgres-0');
    expect(pvc?.details).toMatchObject({ status: 'will_exhaust' });
  });

  it('recommend_rightsizing: the over-provisioned frontend', async () => {
    const findings = findingsOf(await box.run('recommend_rightsizing', { window_minutes: 720 }, analyst('ws-over')));
    expect(findings.find((f) => f.resource.workload === 'frontend')?.details).toMatchObject({ classification: 'over-provisioned' });
  });

  it('check_compliance: the mining pattern', async () => {
    const findings = findingsOf(await box.run('check_compliance', {}, analyst('ws-mine')));
    expect(findings.find((f) => f.kind === 'security')).toMatchObject({
      severity: 'critical',
      resource: { namespace: 'tools', workload: 'docs' },
    });
  });

  it('propose_remediation validates and returns approval_required, executing nothing', async () => {
    const action = {
      action_type: 'restart_application',
      target_resource: 'deployment/cart',
      namespace: 'shop',
      reason: 'memory leak',
      risk: 'medium',
    };
    const r = await box.run('propose_remediation', { summary: 'restart the leaking cart', actions: [action] }, analyst('ws-demo'));
    expect(r).toMatchObject({
      status: 'approval_required',
      proposal: { status: 'approval_required', workspace_id: 'ws-demo', proposed_by: 'alice', actions: [{ ...action, parameters: {} }] },
    });
    expect(
      await box.run('propose_remediation', { summary: 'x', actions: [{ ...action, target_resource: 'cart' }] }, analyst('ws-demo')),
    ).toMatchObject({ status: 'error', expected_schema: expect.any(Object) });
    expect(
      await box.run(
        'propose_remediation',
        { summary: 'x', actions: [{ ...action, parameters: { workspace_id: 'ws-b' } }] },
        analyst('ws-demo'),
      ),
    ).toMatchObject({ status: 'error' });
    expect(await box.run('propose_remediation', { summary: 'x', actions: [action] }, ctxFor('ws-demo', ['aiops:read']))).toMatchObject({
      status: 'error',
      message: expect.stringContaining('missing scope'),
    });
  });

  it("every call was audited in the caller's workspace", () => {
    expect(audit.events.length).toBeGreaterThanOrEqual(15);
    for (const e of audit.events) expect(e.event_type).toBe('tool_call');
    expect(new Set(audit.events.map((e) => e.workspace_id))).toEqual(new Set(['ws-demo', 'ws-acme', 'ws-healthy', 'ws-over', 'ws-mine']));
  });
});
