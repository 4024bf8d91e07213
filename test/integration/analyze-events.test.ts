/**
 * POST /analyze reads the window's Kubernetes events (embedded chDB, the platform's `k8s_events`
 * layout) whatever the analysis type: a cause that only the events show (a bad image tag on a new
 * ReplicaSet while the old pods keep serving, so the metrics stay calm) is named with the event rows
 * as evidence; another workspace's events never appear; a missing table is a stated gap, not a failure.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseHandle } from '../../src/clients/clickhouse.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { createLogsTables, eventRow, logRow, securityRow } from '../helpers/logs-tables.js';

const MIN = 60_000;
const NOW = Math.floor(Date.now() / MIN) * MIN;
const SECRET = 'SECRET-ACME';

let key: RsaKey;
let app: FastifyInstance;
let ch: ClickHouseHandle;

beforeAll(async () => {
  key = await rsaKey();
  const dir = mkdtempSync(path.join(tmpdir(), 'analyze-events-'));
  app = await testApp(testEnv(key, { AIOPS_DATA_DIR: dir }), { now: () => NOW });
  // The same embedded chDB the app's audit and logs source use (one per data directory and process).
  ch = await createClickHouse({ embeddedPath: path.join(dir, 'clickhouse') });
});
afterAll(async () => {
  await ch?.close();
  await app?.close();
});

async function analyze(ws: string, analysisType: string, minutes = 120) {
  const token = await contractToken(key, { workspaceId: ws, permissions: ['aiops:read', 'aiops:analyze'] });
  const res = await app.inject({
    method: 'POST',
    url: `/workspaces/${ws}/analyze`,
    headers: bearer(token),
    payload: { analysis_type: analysisType, time_range_minutes: minutes },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('analysis with Kubernetes events', () => {
  it('without the events table the analysis still completes and states the gap', async () => {
    // Another window than the next test's: read-only tool answers (the gap too) are cached for 30 s.
    const run = await analyze('ws-demo', 'anomaly', 90);
    const step = run.progress.find((p: { node: string }) => p.node === 'events-query');
    expect(step.message).toMatch(/^gap: .*k8s_events/);
    expect(run.diagnosis.hypotheses.length).toBeGreaterThan(0);
  });

  it('names a bad image that only the events show, citing them; other workspaces stay out', async () => {
    await createLogsTables(ch.client, 'hexabase_logs');
    const rs = 'checkout-5f6b7c8d9e';
    const rows = [
      eventRow(NOW, 'ws-demo', 40, {
        kind: 'Deployment',
        name: 'checkout',
        reason: 'ScalingReplicaSet',
        event_type: 'Normal',
        message: `Scaled up replica set ${rs} to 1`,
      }),
      eventRow(NOW, 'ws-demo', 39, {
        name: `${rs}-qwert`,
        reason: 'Scheduled',
        event_type: 'Normal',
        message: `Successfully assigned shop/${rs}-qwert to node-2`,
      }),
      eventRow(NOW, 'ws-demo', 38, {
        name: `${rs}-qwert`,
        reason: 'Failed',
        message: 'Failed to pull image "ghcr.io/hexabase-demo/checkout:2.1.0-rc": rpc error: code = NotFound desc = manifest unknown',
        count: 9,
      }),
      eventRow(NOW, 'ws-demo', 2, {
        name: `${rs}-qwert`,
        reason: 'BackOff',
        message: 'Back-off pulling image "ghcr.io/hexabase-demo/checkout:2.1.0-rc"',
        count: 140,
      }),
      eventRow(NOW, 'ws-demo', 5, {
        name: 'storefront-6c7d8e9f0a-zxcvb',
        reason: 'Pulled',
        event_type: 'Normal',
        message: 'Container image already present',
      }),
      // Another tenant with a decisive cause of its own, in a namespace and workload ws-demo also has.
      eventRow(NOW, 'ws-acme', 10, {
        name: 'checkout-1a2b3c4d5e-aaaaa',
        reason: 'FailedScheduling',
        message: `${SECRET} 0/3 nodes are available: 3 Insufficient cpu.`,
      }),
    ];
    await ch.client.insert({ table: 'hexabase_logs.k8s_events', values: rows, format: 'JSONEachRow' });

    for (const type of ['anomaly', 'capacity']) {
      const run = await analyze('ws-demo', type);
      expect(JSON.stringify(run)).not.toContain(SECRET);
      const image = run.findings.find((f: { id: string }) => f.id === 'k8s_event:image_pull:shop/checkout');
      expect(image, `${type}: ${JSON.stringify(run.findings.map((f: { id: string }) => f.id))}`).toMatchObject({
        kind: 'k8s_event',
        severity: 'critical',
        details: { category: 'image_pull', detail: 'image_not_found', occurrences: 149 },
      });
      const hypothesis = run.diagnosis.hypotheses.find((h: { cause: string }) => h.cause.startsWith('bad image for shop/checkout'));
      expect(hypothesis, `${type}: ${JSON.stringify(run.diagnosis.hypotheses.map((h: { cause: string }) => h.cause))}`).toBeDefined();
      expect(hypothesis.evidence[0]).toMatchObject({
        series: `k8s_events{namespace="shop",kind="Pod",name="${rs}-qwert",reason="BackOff"}`,
        value: 140,
      });
      expect(hypothesis.evidence.map((e: { why: string }) => e.why).join('\n')).toMatch(/manifest unknown/);
      expect(run.progress.find((p: { node: string }) => p.node === 'events-query').message).toMatch(
        /^2 warning event group\(s\), 1 finding\(s\); no log lines matching/,
      );
    }

    // Chat's deterministic mode answers from the same evidence (diagnose_workspace reads the events too).
    const chat = await app.inject({
      method: 'POST',
      url: '/workspaces/ws-demo/chat',
      headers: {
        ...bearer(await contractToken(key, { workspaceId: 'ws-demo', permissions: ['aiops:read', 'aiops:analyze'] })),
        accept: 'application/json',
      },
      payload: { message: 'why is checkout failing?' },
    });
    expect(chat.statusCode, chat.body).toBe(200);
    expect(chat.json().answer.text).toMatch(/bad image for shop\/checkout/);
    expect(chat.json().answer.text).not.toContain(SECRET);

    // "show me the errors of checkout": the error lines of that deployment, never another workspace's.
    await ch.client.insert({
      table: 'hexabase_logs.otel_logs',
      values: [
        logRow(NOW, 'ws-demo', 20, 'dial tcp 10.0.0.5:5432: connect: connection refused', { SeverityText: 'ERROR', SeverityNumber: 17 }),
        logRow(NOW, 'ws-demo', 10, 'GET /checkout 200 in 12ms'),
        logRow(NOW, 'ws-acme', 5, `${SECRET} payment failed`, { SeverityText: 'ERROR', SeverityNumber: 17 }),
      ],
      format: 'JSONEachRow',
    });
    const ask = async (message: string) => {
      const res = await app.inject({
        method: 'POST',
        url: '/workspaces/ws-demo/chat',
        headers: {
          ...bearer(await contractToken(key, { workspaceId: 'ws-demo', permissions: ['aiops:read'] })),
          accept: 'application/json',
        },
        payload: { message },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().answer.text as string;
    };
    const errors = await ask('show me the errors of checkout in the last hour');
    expect(errors).toMatch(/^1 error log line\(s\) of checkout between /);
    expect(errors).toMatch(/ERROR shop\/checkout \(checkout-7d9-abc\): dial tcp 10\.0\.0\.5:5432: connect: connection refused/);
    expect(errors).not.toContain(SECRET);
    const warnings = await ask('any warning events in the shop namespace?');
    expect(warnings).toMatch(
      /^2 warning event group\(s\) between .*\n- .* BackOff on shop\/Pod\/checkout-5f6b7c8d9e-qwert ×140: Back-off pulling image/s,
    );
    expect(warnings).not.toContain(SECRET);

    // ws-acme reads its own events and only those.
    const acme = await analyze('ws-acme', 'anomaly');
    expect(acme.diagnosis.hypotheses.map((h: { cause: string }) => h.cause)).toContain(
      'pods of shop/checkout cannot be scheduled: insufficient cpu',
    );
    expect(JSON.stringify(acme)).not.toContain('manifest unknown');
  });

  it("a security analysis reads the security events: brute force from one source is named, another tenant's attack is not", async () => {
    await ch.client.insert({
      table: 'hexabase_logs.security_events',
      values: [
        ...Array.from({ length: 25 }, (_, i) => securityRow(NOW, 'ws-demo', 1 + i)),
        securityRow(NOW, 'ws-demo', 3, { source_ip: '10.0.0.1', user_id: 'carol', result: 'success', message: 'ok' }),
        ...Array.from({ length: 60 }, (_, i) =>
          securityRow(NOW, 'ws-acme', 1 + (i % 20), { source_ip: '198.51.100.66', message: `${SECRET} bad password` }),
        ),
      ],
      format: 'JSONEachRow',
    });
    const run = await analyze('ws-demo', 'security');
    expect(JSON.stringify(run)).not.toContain(SECRET);
    expect(JSON.stringify(run)).not.toContain('198.51.100.66');
    const top = run.diagnosis.hypotheses.find((h: { cause: string }) => h.cause.startsWith('brute-force login attempts from 203.0.113.7'));
    expect(top, JSON.stringify(run.diagnosis.hypotheses.map((h: { cause: string }) => h.cause))).toBeDefined();
    expect(top.cause).toBe('brute-force login attempts from 203.0.113.7: 25 failed logins against 1 user(s)');
    expect(top.evidence[0]).toMatchObject({ series: 'security_events{source_ip="203.0.113.7"}', value: 25 });
    expect(run.progress.find((p: { node: string }) => p.node === 'events-query').message).toMatch(
      /2 security source\(s\), 1 security finding\(s\)$/,
    );
    // Other analysis types do not read them.
    const anomaly = await analyze('ws-demo', 'anomaly', 100);
    expect(JSON.stringify(anomaly.diagnosis)).not.toContain('203.0.113.7');

    const chat = await app.inject({
      method: 'POST',
      url: '/workspaces/ws-demo/chat',
      headers: { ...bearer(await contractToken(key, { workspaceId: 'ws-demo', permissions: ['aiops:read'] })), accept: 'application/json' },
      payload: { message: 'any failed logins?' },
    });
    expect(chat.statusCode, chat.body).toBe(200);
    const text = chat.json().answer.text as string;
    expect(text).toMatch(/^25 failed security event\(s\) from 2 source\(s\) between /);
    expect(text).toMatch(/- 203\.0\.113\.7: 25 failed of 25 \(1 user\(s\)\)/);
    expect(text).toMatch(/warning: Brute-force login attempts: 25 failed login\(s\) from 203\.0\.113\.7 against 1 user\(s\)/);
    expect(text).not.toContain(SECRET);
  });

  it('a dependency refusing connections, only in the logs, is named from the error template; info noise is not', async () => {
    const refused = Array.from({ length: 20 }, (_, i) =>
      logRow(
        NOW,
        'ws-demo',
        1 + i,
        `dial tcp 10.0.3.${i % 4}:6379: connect: connection refused`,
        { SeverityText: 'ERROR', SeverityNumber: 17 },
        {
          'k8s.deployment.name': 'storefront',
          'k8s.pod.name': 'storefront-6c7d8e9f0a-zxcvb',
        },
      ),
    );
    // Routine lines over this window and the one before it (without lines before, nothing would count as new).
    const noise = Array.from({ length: 40 }, (_, i) => logRow(NOW, 'ws-demo', 1 + i * 5, `GET /product/${i} 200 in ${i}ms`));
    const other = Array.from({ length: 30 }, (_, i) =>
      logRow(NOW, 'ws-acme', 1 + i, `${SECRET} upstream connect error`, { SeverityText: 'ERROR', SeverityNumber: 17 }),
    );
    await ch.client.insert({ table: 'hexabase_logs.otel_logs', values: [...refused, ...noise, ...other], format: 'JSONEachRow' });
    const run = await analyze('ws-demo', 'performance', 110);
    expect(JSON.stringify(run)).not.toContain(SECRET);
    const dep = run.diagnosis.hypotheses.find((h: { cause: string }) => h.cause.startsWith('shop/storefront cannot reach a dependency'));
    // The template text stays in the evidence, never in the cause.
    expect(dep, JSON.stringify(run.diagnosis.hypotheses.map((h: { cause: string }) => h.cause))).toBeDefined();
    expect(dep.cause).toBe('shop/storefront cannot reach a dependency (connection refused in 21 error log lines)');
    // The template's lines across the workspace: these 20 and the one of checkout written by the bad-image test.
    expect(dep.evidence[0]).toMatchObject({ value: 21 });
    expect(dep.evidence[0].why).toMatch(/^ERROR ×21 new since .*: dial tcp 10\.0\.3\.\d:6379: connect: connection refused$/);
    expect(run.findings.filter((f: { kind: string }) => f.kind === 'log_pattern').map((f: { id: string }) => f.id)).toEqual([
      'log_pattern:dependency:shop/storefront',
    ]);
  });
});
