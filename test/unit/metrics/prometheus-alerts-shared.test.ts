/**
 * Prometheus answers /api/v1/alerts for every tenant at once: the metrics source shares one answer
 * among the workspaces asking within a few seconds (the monitor asks once per workspace per tick),
 * filters it per workspace, and does not keep a failed fetch.
 */
import { describe, expect, it } from 'vitest';
import type { PrometheusClient, PromAlert } from '../../../src/clients/prometheus.js';
import { PrometheusMetricsSource } from '../../../src/metrics/prometheus-source.js';

const alert = (ws: string, name: string): PromAlert => ({
  labels: { alertname: name, workspace_id: ws },
  annotations: {},
  state: 'firing',
});

function source(answers: (() => Promise<PromAlert[]>)[]) {
  let calls = 0;
  const client = { alerts: () => answers[Math.min(calls++, answers.length - 1)]!() } as unknown as PrometheusClient;
  return { source: new PrometheusMetricsSource({ client, tenantLabel: 'workspace_id', cacheTtlSeconds: 30 }), calls: () => calls };
}

describe('the alerts of many workspaces from one Prometheus answer', () => {
  it('one fetch serves every workspace, each sees only its own', async () => {
    const s = source([async () => [alert('ws-a', 'A'), alert('ws-b', 'B'), alert('ws-b', 'C')]]);
    const [a, b, c] = await Promise.all([
      s.source.alerts({ workspaceId: 'ws-a' }),
      s.source.alerts({ workspaceId: 'ws-b' }),
      s.source.alerts({ workspaceId: 'ws-c' }),
    ]);
    expect(a.map((x) => x.labels.alertname)).toEqual(['A']);
    expect(b.map((x) => x.labels.alertname)).toEqual(['B', 'C']);
    expect(c).toEqual([]);
    expect(s.calls()).toBe(1);
  });

  it('a failed fetch is not kept: the next caller asks again', async () => {
    const s = source([async () => Promise.reject(new Error('connect ECONNREFUSED')), async () => [alert('ws-a', 'A')]]);
    await expect(s.source.alerts({ workspaceId: 'ws-a' })).rejects.toThrow();
    expect(await s.source.alerts({ workspaceId: 'ws-a' })).toHaveLength(1);
    expect(s.calls()).toBe(2);
  });
});
