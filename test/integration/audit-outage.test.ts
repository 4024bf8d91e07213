/**
 * Durability against a real ClickHouse server over HTTP (Debian's 18.16, the legacy dialect):
 *  1. kill -9 the server while audited requests stream in, keep driving, restart it: every event
 *     is stored exactly once (checked without FINAL, so not even a physical duplicate);
 *  2. kill -9 the AIOps process while events wait in its spool, restart it: they arrive, once.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseServer } from '../helpers/clickhouse-server.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { freePort, runTs } from '../helpers/process.js';

let key: RsaKey;
let server: ClickHouseServer;
let token: string;

beforeAll(async () => {
  key = await rsaKey();
  token = await contractToken(key, { workspaceId: 'ws-a', sub: 'outage-user', permissions: ['aiops:read'], ttlSeconds: 3000 });
  server = await ClickHouseServer.create(mkdtempSync(path.join(tmpdir(), 'ch-outage-')));
  await server.start();
});
afterAll(async () => server?.stop());

/** request_id → stored row count, without FINAL (physical rows). */
async function storedCounts(prefix: string): Promise<Map<string, number>> {
  const out = await server.query(
    `SELECT request_id, count() FROM hexabase_logs.audit_events WHERE startsWith(request_id, '${prefix}') GROUP BY request_id FORMAT TSV`,
  );
  return new Map(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [id, n] = l.split('\t');
        return [id!, Number(n)];
      }),
  );
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('audit outage against a real ClickHouse server', () => {
  it('kill -9 of ClickHouse mid-stream loses nothing and doubles nothing', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'audit-outage-'));
    const app: FastifyInstance = await testApp(
      // Shipping without pauses (AUDIT_SHIP_INTERVAL_MS=0): the kill must land while the shipper is inserting.
      testEnv(key, {
        AIOPS_DATA_DIR: dataDir,
        CLICKHOUSE_URL: server.url,
        AUDIT_RETRY_MAX_SECONDS: '1',
        AUDIT_BATCH_MAX_EVENTS: '50',
        AUDIT_SHIP_INTERVAL_MS: '0',
      }),
    );
    const total = 600;
    let sent = 0;
    const drive = async (n: number) => {
      for (let i = 0; i < n; i += 20) {
        const group = Array.from({ length: Math.min(20, n - i) }, () => `kill-ch-${sent++}`);
        const codes = await Promise.all(
          group.map(
            async (id) =>
              (await app.inject({ url: '/workspaces/ws-a/access', headers: { ...bearer(token), 'x-request-id': id } })).statusCode,
          ),
        );
        expect(codes.every((c) => c === 200)).toBe(true);
      }
    };
    await drive(200);
    // The schema is in place and inserts flow (on a loaded machine the migration can outlast the first
    // 200 requests; a kill then would only test reconnecting): now kill it mid-stream.
    await waitFor(
      async () => /aiops_audit_events_shipped_total [1-9]/.test((await app.inject({ url: '/metrics' })).body),
      30_000,
      'a first shipped batch',
    );
    await drive(50);
    await server.kill9(); // mid-stream: the shipper is likely inside an insert
    await drive(150);
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.json().dependencies).toContainEqual(expect.objectContaining({ name: 'clickhouse', status: 'down' }));
    // The outage lasts until the shipper has met it (an insert failed), however fast the requests above went.
    await waitFor(
      async () => /aiops_audit_ship_failures_total [1-9]/.test((await app.inject({ url: '/metrics' })).body),
      15_000,
      'an insert failing while ClickHouse is down',
    );
    await server.start();
    await drive(total - 400);
    await waitFor(async () => (await storedCounts('kill-ch-')).size === total, 30_000, 'every event in ClickHouse');
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
    const counts = await storedCounts('kill-ch-');
    expect(counts.size).toBe(total);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(
      Number((await server.query("SELECT count() FROM hexabase_logs.audit_events FINAL WHERE startsWith(request_id, 'kill-ch-')")).trim()),
    ).toBe(total);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/aiops_audit_spool_depth_events 0/);
    expect(metrics).toMatch(/aiops_audit_ship_failures_total [1-9]/);
    await app.close();
  });

  it('kill -9 of the AIOps process with events in the spool: they arrive after its restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'audit-crash-'));
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      AIOPS_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      JWT_PUBLIC_KEY: key.publicPem,
      CLICKHOUSE_URL: server.url,
      AUDIT_RETRY_MAX_SECONDS: '1',
    };
    const base = `http://127.0.0.1:${port}`;
    const startAiops = async (): Promise<ChildProcessWithoutNullStreams> => {
      const child = runTs('src/server.ts', [], env);
      await waitFor(async () => (await fetch(`${base}/health`)).ok, 30_000, 'the AIOps server');
      return child;
    };
    await server.kill9(); // ClickHouse down: events can only pile up in the spool
    let aiops = await startAiops();
    const ids = Array.from({ length: 100 }, (_, i) => `kill-aiops-${i}`);
    for (const id of ids) {
      const res = await fetch(`${base}/workspaces/ws-a/access`, { headers: { ...bearer(token), 'x-request-id': id } });
      expect(res.status).toBe(200);
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(Number(/aiops_audit_spool_depth_events (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(100);
    const gone = new Promise((r) => aiops.once('exit', r));
    aiops.kill('SIGKILL');
    await gone;
    await server.start();
    aiops = await startAiops();
    try {
      await waitFor(async () => (await storedCounts('kill-aiops-')).size === ids.length, 30_000, 'the spooled events in ClickHouse');
      const counts = await storedCounts('kill-aiops-');
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      const exited = new Promise((r) => aiops.once('exit', r));
      aiops.kill('SIGTERM');
      await exited;
    }
  });
});
