/**
 * A full audit spool opens again as soon as ClickHouse is seen answering: with ClickHouse killed
 * (kill -9, a private 18.16 server) the spool fills and audited requests get 503 `audit_spool_full`;
 * the shipper is then waiting out a backoff of at least a minute (first delay made long on purpose).
 * ClickHouse comes back; a readiness probe sees it and wakes the shipper, so the spool drains and
 * requests are accepted again long before that backoff would have ended. With no probe at all, the
 * shipper's own ping (every 250 ms during a backoff) notices the return just as soon.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseServer } from '../helpers/clickhouse-server.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

let key: RsaKey;
let server: ClickHouseServer;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  key = await rsaKey();
  server = await ClickHouseServer.create(mkdtempSync(path.join(tmpdir(), 'ch-spool-')));
  await server.start();
});
afterAll(async () => {
  await app?.close();
  await server?.stop();
});

describe('full audit spool after a ClickHouse outage', () => {
  it('clears as soon as a readiness probe sees ClickHouse again, not after the backoff', async () => {
    const token = await contractToken(key, { workspaceId: 'ws-a', sub: 'spool-user', permissions: ['aiops:read'], ttlSeconds: 600 });
    app = await testApp(
      testEnv(key, {
        AIOPS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'audit-spool-')),
        CLICKHOUSE_URL: server.url,
        AUDIT_SPOOL_MAX_BYTES: String(1024 * 1024),
        AUDIT_RETRY_MAX_SECONDS: '600',
      }),
      { auditRetryBaseMs: 120_000 }, // the first failed shipment waits 60-120 s before the next try
    );
    const access = (i: number) =>
      app!.inject({ url: '/workspaces/ws-a/access', headers: { ...bearer(token), 'x-request-id': `spool-${i}-${'x'.repeat(100)}` } });
    await server.kill9();

    let refused: Awaited<ReturnType<typeof access>> | undefined;
    for (let i = 0; !refused && i < 20_000; i += 50) {
      const group = await Promise.all(Array.from({ length: 50 }, (_, j) => access(i + j)));
      refused = group.find((r) => r.statusCode !== 200);
    }
    expect(refused?.statusCode).toBe(503);
    expect(refused?.json().reason).toBe('audit_spool_full');
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/^aiops_audit_spool_full 1$/m);

    await server.start();
    const until = Date.now() + 15_000;
    let state = { status: 0, full: true };
    while (Date.now() < until) {
      const ready = await app.inject({ url: '/health/ready' }); // what the kubelet does every few seconds
      expect(ready.json().dependencies).toContainEqual(expect.objectContaining({ name: 'clickhouse', status: 'ok' }));
      const status = (await access(-1)).statusCode;
      state = { status, full: /^aiops_audit_spool_full 1$/m.test((await app.inject({ url: '/metrics' })).body) };
      if (status === 200 && !state.full) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(state).toEqual({ status: 200, full: false });
    expect(Number(/^aiops_audit_events_shipped_total (\d+)$/m.exec((await app.inject({ url: '/metrics' })).body)?.[1])).toBeGreaterThan(0);
  }, 60_000);

  it('clears within about a second after ClickHouse returns, with no readiness probe at all (the shipper pings it)', async () => {
    const token = await contractToken(key, { workspaceId: 'ws-a', sub: 'spool-user', permissions: ['aiops:read'], ttlSeconds: 600 });
    const quiet = await testApp(
      testEnv(key, {
        AIOPS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'audit-spool-ping-')),
        CLICKHOUSE_URL: server.url,
        AUDIT_SPOOL_MAX_BYTES: String(1024 * 1024),
        AUDIT_RETRY_MAX_SECONDS: '600',
      }),
      { auditRetryBaseMs: 120_000 },
    );
    try {
      const access = (i: number) =>
        quiet.inject({ url: '/workspaces/ws-a/access', headers: { ...bearer(token), 'x-request-id': `ping-${i}-${'x'.repeat(100)}` } });
      await server.kill9();
      let refused = false;
      for (let i = 0; !refused && i < 20_000; i += 50) {
        const group = await Promise.all(Array.from({ length: 50 }, (_, j) => access(i + j)));
        refused = group.some((r) => r.statusCode === 503 && r.json().reason === 'audit_spool_full');
      }
      expect(refused).toBe(true);
      await server.start();
      const back = Date.now();
      let status = 0;
      // Neither /health/ready nor /metrics (whose scrape probes the dependencies too) is asked meanwhile.
      while (status !== 200 && Date.now() - back < 15_000) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await access(-1)).statusCode;
      }
      expect(status).toBe(200);
      expect(Date.now() - back).toBeLessThan(10_000); // the backoff alone would have waited 60-120 s
    } finally {
      await quiet.close();
    }
  }, 60_000);
});
