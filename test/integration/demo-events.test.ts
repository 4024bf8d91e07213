/**
 * `npm start` with nothing configured: the demo workspaces' Kubernetes events are written into the
 * embedded chDB in the background, so an analysis of ws-demo names the bad image of shop/checkout —
 * a cause only the events show —, ws-acme's CPU-starved search fails its readiness probe, and a security
 * analysis of ws-acme names the brute force on its gateway login. A
 * restart within half an hour writes nothing twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEventRows } from '../../src/logs/demo/demo-events.js';
import { demoSecurityRows } from '../../src/logs/demo/demo-security.js';
import { demoWorkspaces } from '../../src/metrics/scenarios/index.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

let key: RsaKey;
let dir: string;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  key = await rsaKey();
  dir = mkdtempSync(path.join(tmpdir(), 'demo-events-'));
});
afterAll(async () => app?.close());

async function analyze(ws: string, analysisType = 'anomaly') {
  const token = await contractToken(key, { workspaceId: ws, permissions: ['aiops:read', 'aiops:analyze'] });
  const res = await app!.inject({
    method: 'POST',
    url: `/workspaces/${ws}/analyze`,
    headers: bearer(token),
    payload: { analysis_type: analysisType, time_range_minutes: 120 },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    diagnosis: { hypotheses: { cause: string; evidence: { series: string }[] }[] };
    progress: { node: string; message: string }[];
  };
}

async function eventsRead(ws: string) {
  for (let i = 0; i < 100; i++) {
    const run = await analyze(ws);
    if (/finding/.test(run.progress.find((p) => p.node === 'events-query')?.message ?? '')) return run;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error('the demo events never arrived');
}

describe('demo Kubernetes events in the embedded mode', () => {
  it('an analysis of the demo workspaces reads them and names the causes only they show', { timeout: 120_000 }, async () => {
    app = await testApp(testEnv(key, { AIOPS_DATA_DIR: dir, LOGS_DEMO_DATA: 'true' }));
    const demo = await eventsRead('ws-demo');
    const image = demo.diagnosis.hypotheses.find((h) => h.cause.startsWith('bad image for shop/checkout'));
    expect(image, JSON.stringify(demo.diagnosis.hypotheses.map((h) => h.cause))).toBeDefined();
    expect(image!.evidence[0]!.series).toMatch(/^k8s_events\{namespace="shop",kind="Pod",name="checkout-/);
    const acme = await eventsRead('ws-acme');
    expect(acme.diagnosis.hypotheses.map((h) => h.cause)).toContain('readiness probe of web/search failing');
    // ws-acme's gateway login is being brute-forced: only its security events say so.
    const security = await analyze('ws-acme', 'security');
    expect(security.diagnosis.hypotheses.map((h) => h.cause)).toContain(
      'brute-force login attempts from 203.0.113.22: 30 failed logins against 1 user(s)',
    );
    await app.close();
    app = undefined;
  });

  it('a restart within the half hour writes nothing twice', async () => {
    app = await testApp(testEnv(key, { AIOPS_DATA_DIR: dir, LOGS_DEMO_DATA: 'true' }));
    const { createClickHouse } = await import('../../src/clients/clickhouse.js');
    const ch = await createClickHouse({ embeddedPath: path.join(dir, 'clickhouse') });
    try {
      await new Promise((r) => setTimeout(r, 1500)); // the background seed of this start has run (and found rows)
      const rs = await ch.client.query({ query: 'SELECT count() AS n FROM hexabase_logs.k8s_events', format: 'JSONEachRow' });
      const [row] = await rs.json<{ n: string }>();
      expect(Number(row!.n)).toBe(demoEventRows(demoWorkspaces(), Date.now()).length);
      const sec = await ch.client.query({ query: 'SELECT count() AS n FROM hexabase_logs.security_events', format: 'JSONEachRow' });
      expect(Number((await sec.json<{ n: string }>())[0]!.n)).toBe(demoSecurityRows(demoWorkspaces(), Date.now()).length);
    } finally {
      await ch.close();
    }
  });
});
