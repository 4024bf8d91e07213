/**
 * The audit trail end to end on chDB's engine (ClickHouse 26.7 in-process): migrations, every
 * authorization decision recorded through the guard, the audit route (workspace from the token,
 * visibility, pagination, 400s), exactly-once on retries, redaction, readiness and metrics.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOG_REDACT_PATHS } from '../../src/wiring/http-server.js';
import { normalizeEvent, type AuditEventInput } from '../../src/audit/event.js';
import { openAuditPipeline, type AuditPipeline } from '../../src/audit/pipeline.js';
import { auditRow, detectDialect, migrate } from '../../src/audit/schema.js';
import { Shipper } from '../../src/audit/shipper.js';
import { Spool } from '../../src/audit/spool.js';
import { createClickHouse, type ClickHouseHandle } from '../../src/clients/clickhouse.js';
import { LOG_SERIALIZERS } from '../../src/http/log-serializers.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';
import { DEAD_URL } from '../helpers/services.js';

let key: RsaKey;
let app: FastifyInstance;
let dataDir: string;
let ch: ClickHouseHandle;
let audit: AuditPipeline;
const logs: string[] = [];
const quiet = { info() {}, warn() {}, error() {} };

interface Ev {
  event_id: string;
  timestamp: string;
  user_id: string;
  workspace_id: string;
  event_type: string;
  outcome: string;
  resource_id: string;
  source_ip: string;
  request_id: string;
  trace_id: string;
  details: Record<string, unknown>;
}
interface Page {
  events: Ev[];
  next_cursor: string | null;
}

const pipelineOptions = (dir: string) => ({
  dir: path.join(dir, 'audit'),
  database: 'hexabase_logs',
  spoolMaxBytes: 1 << 24,
  llmTtlDays: 30,
  batchMaxEvents: 1000,
  retryMaxMs: 1000,
  failingAfterMs: 60_000,
  drainOnCloseMs: 1000,
  log: quiet,
});

async function rows<T>(query: string): Promise<T[]> {
  const rs = await ch.client.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** Polls the route until `predicate` holds for the page (shipping is asynchronous). */
async function auditPage(token: string, qs = '', predicate: (body: Page) => boolean = () => true, timeoutMs = 15_000): Promise<Page> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ url: `/workspaces/ws-a/audit${qs}`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Page>();
    if (predicate(body) || Date.now() > until) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const toolEvent = (i: number, extra: Partial<AuditEventInput> = {}): AuditEventInput =>
  ({
    event_type: 'tool_call',
    workspace_id: 'ws-a',
    user_id: `user-${i % 2}`,
    details: { tool: 'get_pods', required_scope: 'aiops:read', arguments: { i }, status: 'ok', duration_ms: 2 },
    ...extra,
  }) as AuditEventInput;

beforeAll(async () => {
  key = await rsaKey();
  dataDir = mkdtempSync(path.join(tmpdir(), 'audit-chdb-'));
  const stream = new Writable({
    write(chunk, _e, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  app = await testApp(testEnv(key, { AIOPS_DATA_DIR: dataDir }), {
    logger: { level: 'trace', stream, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' }, serializers: LOG_SERIALIZERS },
  });
  audit = await openAuditPipeline(pipelineOptions(dataDir), () => Promise.reject(new Error('joins the app pipeline')));
  ch = await createClickHouse({ embeddedPath: path.join(dataDir, 'clickhouse') });
  await audit.schemaReady(20_000);
});
afterAll(async () => {
  await audit?.close();
  await app?.close();
  await ch?.close();
});

describe('audit schema on chDB (ClickHouse 26.7)', () => {
  it('migrations are versioned and idempotent; modern types and the LLM TTL are used', async () => {
    const dialect = await detectDialect(ch.client);
    expect(dialect).toMatchObject({ kind: 'modern', params: 'params' });
    expect(await migrate(ch.client, dialect, { database: 'hexabase_logs', llmTtlDays: 30 })).toEqual([]);
    const versions = await rows<{ version: number }>('SELECT DISTINCT version FROM hexabase_logs.schema_migrations ORDER BY version');
    expect(versions.map((v) => Number(v.version))).toEqual([1, 2]);
    const cols = await rows<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = 'hexabase_logs' AND table = 'audit_events'",
    );
    expect(cols).toContainEqual({ name: 'timestamp', type: "DateTime64(3, 'UTC')" });
    expect(cols).toContainEqual({ name: 'workspace_id', type: 'LowCardinality(String)' });
    const [llm] = await rows<{ engine_full: string }>(
      "SELECT engine_full FROM system.tables WHERE database = 'hexabase_logs' AND name = 'aiops_logs'",
    );
    expect(llm!.engine_full).toMatch(/ReplacingMergeTree.*TTL toDateTime\(timestamp\) \+ toIntervalDay\(30\)/);
    // A changed AUDIT_LLM_TTL_DAYS is applied to the existing table.
    await migrate(ch.client, dialect, { database: 'hexabase_logs', llmTtlDays: 7 });
    const [after] = await rows<{ engine_full: string }>(
      "SELECT engine_full FROM system.tables WHERE database = 'hexabase_logs' AND name = 'aiops_logs'",
    );
    expect(after!.engine_full).toContain('toIntervalDay(7)');
    await migrate(ch.client, dialect, { database: 'hexabase_logs', llmTtlDays: 30 });
  });
});

describe('every authorization decision is recorded', () => {
  it('allowed, workspace_mismatch, missing_scope and 401, each attributed safely', async () => {
    const reader = await contractToken(key, { workspaceId: 'ws-a', sub: 'alice', permissions: ['aiops:read'] });
    const admin = await contractToken(key, { workspaceId: 'ws-a', sub: 'root', permissions: ['aiops:admin'] });
    const noScope = await contractToken(key, { workspaceId: 'ws-a', sub: 'bob', permissions: ['aiops:analyze'] });
    const headers = {
      ...bearer(reader),
      'x-request-id': 'req-allowed-1',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    };
    expect((await app.inject({ url: '/workspaces/ws-a/access', headers })).statusCode).toBe(200);
    expect((await app.inject({ url: '/workspaces/ws-b/access', headers: bearer(reader) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/workspaces/ws-a/access', headers: bearer(noScope) })).statusCode).toBe(403);
    expect(
      (await app.inject({ url: '/workspaces/ws-a/access', headers: { authorization: 'Bearer not-a-jwt' }, remoteAddress: '203.0.113.9' }))
        .statusCode,
    ).toBe(401);

    const body = await auditPage(admin, '?event_type=authorization&limit=1000', (b) => b.events.some((e) => e.user_id === 'bob'));
    const events = body.events;
    const allowed = events.find((e) => e.request_id === 'req-allowed-1');
    expect(allowed).toMatchObject({
      user_id: 'alice',
      workspace_id: 'ws-a',
      outcome: 'allowed',
      initiated_by: 'user',
      resource_id: '/workspaces/ws-a/access',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      source_ip: '127.0.0.1',
      details: { allowed: true, reason: 'allowed', scope: 'aiops:read', route: '/workspaces/:workspace_id/access', method: 'GET' },
    });
    // Denied across workspaces: attributed to the token's verified workspace, the named one kept in details.
    expect(events).toContainEqual(
      expect.objectContaining({
        user_id: 'alice',
        outcome: 'denied',
        details: expect.objectContaining({ reason: 'workspace_mismatch', path_workspace_id: 'ws-b', status_code: 403 }),
      }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ user_id: 'bob', outcome: 'denied', details: expect.objectContaining({ reason: 'missing_scope' }) }),
    );
    // The 401 has no verified identity: stored with an empty workspace, so no tenant sees it here...
    expect(events.every((e) => e.workspace_id === 'ws-a')).toBe(true);
    // ...but it is in the table for operators, with the source IP and reason.
    const unauth = await rows<{ user_id: string; event_type: string; outcome: string; details: string }>(
      "SELECT * FROM hexabase_logs.audit_events FINAL WHERE workspace_id = '' AND source_ip = '203.0.113.9'",
    );
    expect(unauth).toHaveLength(1);
    expect(unauth[0]).toMatchObject({ user_id: '', event_type: 'authorization', outcome: 'denied' });
    expect(JSON.parse(unauth[0]!.details)).toMatchObject({ reason: 'malformed_token', status_code: 401, path_workspace_id: 'ws-a' });
  });
});

describe('GET /workspaces/{workspace_id}/audit', () => {
  it('non-admins see AI actions of everyone but only their own authorization decisions; admins see all', async () => {
    await Promise.all([0, 1, 2, 3].map((i) => audit.record(toolEvent(i))));
    await audit.record(toolEvent(9, { workspace_id: 'ws-b' }));
    const carol = await contractToken(key, { workspaceId: 'ws-a', sub: 'carol', permissions: ['aiops:read'] });
    const body = await auditPage(
      carol,
      '?limit=1000',
      (b) => b.events.filter((e) => e.event_type === 'tool_call').length >= 4 && b.events.some((e) => e.user_id === 'carol'),
    );
    const types = new Set(body.events.map((e) => e.event_type));
    expect(types.has('tool_call')).toBe(true);
    const authz = body.events.filter((e) => e.event_type === 'authorization');
    expect(authz.length).toBeGreaterThan(0);
    expect(authz.every((e) => e.user_id === 'carol')).toBe(true);
    expect(body.events.every((e) => e.workspace_id === 'ws-a')).toBe(true);
    const admin = await contractToken(key, { workspaceId: 'ws-a', sub: 'root', permissions: ['aiops:admin'] });
    const all = await auditPage(admin, '?event_type=authorization&limit=1000');
    expect(new Set(all.events.map((e) => e.user_id))).toEqual(new Set(['alice', 'bob', 'carol', 'root']));
  });

  it('the workspace comes from the token: a query parameter cannot change it', async () => {
    const tok = await contractToken(key, { workspaceId: 'ws-a', sub: 'root', permissions: ['aiops:admin'] });
    const res = await app.inject({ url: '/workspaces/ws-a/audit?workspace_id=ws-b&limit=1000', headers: bearer(tok) });
    expect(res.statusCode).toBe(200);
    expect(res.json<Page>().events.every((e) => e.workspace_id === 'ws-a')).toBe(true);
    expect((await app.inject({ url: '/workspaces/ws-b/audit', headers: bearer(tok) })).statusCode).toBe(403);
  });

  it('pages through with an opaque cursor, newest first, without gaps or repeats', async () => {
    const ts = Date.now() - 60_000;
    // Same timestamp for several events: the cursor's tie-break on event_id matters.
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => audit.record(toolEvent(i, { timestamp: ts + Math.floor(i / 5), resource_id: 'page-test' }))),
    );
    const tok = await contractToken(key, { workspaceId: 'ws-a', sub: 'root', permissions: ['aiops:admin'] });
    const from = Math.floor(ts / 1000) - 1;
    const to = Math.floor(ts / 1000) + 1;
    await auditPage(tok, `?event_type=tool_call&from=${from}&to=${to}&limit=100`, (b) => b.events.length >= 25);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/workspaces/ws-a/audit?event_type=tool_call&from=${from}&to=${to}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await app.inject({ url, headers: bearer(tok) });
      expect(res.statusCode, res.body).toBe(200);
      const b: Page = res.json<Page>();
      seen.push(...b.events.map((e) => e.event_id));
      const times = b.events.map((e) => Date.parse(e.timestamp));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      cursor = b.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('answers 400 with a clear message for bad ranges, cursors and limits', async () => {
    const tok = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
    const cases: [string, RegExp][] = [
      ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', /"from" is after "to"/],
      ['?from=yesterday', /from must be an RFC 3339 time/],
      ['?to=2026-01-01', /to must be an RFC 3339 time/],
      ['?from=0&to=86400000', /wider than 31 days/],
      ['?cursor=bm9wZQ', /cursor/],
      ['?limit=0', /limit/],
      ['?limit=1001', /limit/],
      ['?event_type=everything', /event_type/],
    ];
    for (const [qs, message] of cases) {
      const res = await app.inject({ url: `/workspaces/ws-a/audit${qs}`, headers: bearer(tok) });
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().message, qs).toMatch(message);
    }
    expect(
      (await app.inject({ url: '/workspaces/ws-a/audit?from=1769860800&to=2026-01-31T13:00:00%2B01:00', headers: bearer(tok) })).statusCode,
    ).toBe(200);
  });
});

describe('exactly once', () => {
  it('a batch inserted before its acknowledgement (crash) is not inserted again on replay', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-replay-'));
    let spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    const events = Array.from({ length: 8 }, (_, i) => normalizeEvent(toolEvent(i, { resource_id: `replay-${dir}` })));
    for (const e of events) await spool.append(e);
    // Shipped, then "killed" before the ack: the rows are in ClickHouse, the spool still holds them.
    const dialect = await detectDialect(ch.client);
    await ch.client.insert({
      table: 'hexabase_logs.audit_events',
      values: events.slice(0, 5).map((e) => auditRow(e, dialect)),
      format: 'JSONEachRow',
    });
    await spool.close();
    spool = await Spool.open({ dir, maxBytes: 1 << 20 });
    const shipper = new Shipper(
      spool,
      ch.client,
      { database: 'hexabase_logs', llmTtlDays: 30, batchMaxEvents: 100, retryMaxMs: 500 },
      quiet,
    );
    shipper.start();
    const until = Date.now() + 10_000;
    while (spool.stats().depthEvents > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await shipper.stop();
    await spool.close();
    expect(shipper.snapshot()).toMatchObject({ shipped: 8, duplicatesSkipped: 5 });
    const [row] = await rows<{ c: string }>(`SELECT count() AS c FROM hexabase_logs.audit_events WHERE resource_id = 'replay-${dir}'`);
    expect(Number(row!.c)).toBe(8); // without FINAL: no physical duplicate either
  });

  it('even a duplicate that did land is read once (ReplacingMergeTree + FINAL)', async () => {
    const e = normalizeEvent(toolEvent(1, { resource_id: 'dup-read' }));
    const dialect = await detectDialect(ch.client);
    for (let i = 0; i < 2; i++)
      await ch.client.insert({ table: 'hexabase_logs.audit_events', values: [auditRow(e, dialect)], format: 'JSONEachRow' });
    const tok = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:admin'] });
    const body = await auditPage(tok, '?event_type=tool_call&limit=1000');
    expect(body.events.filter((x) => x.event_id === e.event_id)).toHaveLength(1);
  });
});

describe('redaction', () => {
  it('no token, password or API key reaches the audit table or the logs', async () => {
    const tok = await contractToken(key, { workspaceId: 'ws-a', sub: 'dave', permissions: ['aiops:read'] });
    await app.inject({ url: `/workspaces/ws-a/access?token=${tok}`, headers: bearer(tok) });
    await app.inject({ url: '/workspaces/ws-a/access', headers: { authorization: `Bearer ${tok}x` } });
    await audit.record(
      toolEvent(1, {
        resource_id: 'redaction-test',
        details: {
          tool: 'helm_upgrade',
          required_scope: 'aiops:remediate',
          arguments: { password: 'hunter2-password', values: 'apiKey: sk-proj-abcdefghijklmnop1234567890', kubeconfig_token: tok },
          status: 'ok',
          duration_ms: 4,
        },
      } as Partial<AuditEventInput>),
    );
    const admin = await contractToken(key, { workspaceId: 'ws-a', sub: 'root', permissions: ['aiops:admin'] });
    await auditPage(
      admin,
      '?limit=1000',
      (b) => b.events.some((e) => e.resource_id === 'redaction-test') && b.events.some((e) => e.user_id === 'dave'),
    );
    await new Promise((r) => setTimeout(r, 300));
    const table = JSON.stringify(await rows('SELECT * FROM hexabase_logs.audit_events'));
    const logText = logs.join('');
    for (const secret of [tok, tok.split('.')[2]!, 'hunter2-password', 'sk-proj-abcdefghijklmnop1234567890']) {
      expect(table).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
    expect(table).toContain('redaction-test');
  });
});

describe('operations', () => {
  it('readiness lists audit_spool and /metrics exposes spool depth and shipped/failed counters', async () => {
    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.json().dependencies).toContainEqual(expect.objectContaining({ name: 'audit_spool', status: 'ok', required: false }));
    const metrics = (await app.inject({ url: '/metrics' })).body;
    for (const name of [
      'aiops_audit_spool_depth_events',
      'aiops_audit_events_shipped_total',
      'aiops_audit_events_failed_total',
      'aiops_audit_spool_full',
    ])
      expect(metrics).toContain(name);
    expect(metrics).toMatch(/aiops_audit_events_shipped_total [1-9]/);
  });

  it('a full spool (ClickHouse down) refuses audited requests with 503, degrades readiness and says so in metrics', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-full-'));
    const env = testEnv(key, { AIOPS_DATA_DIR: dir, CLICKHOUSE_URL: DEAD_URL.http, AUDIT_SPOOL_MAX_BYTES: String(1024 * 1024) });
    const down = await testApp(env);
    const same = await openAuditPipeline(pipelineOptions(dir), () => Promise.reject(new Error('joins')));
    let refused = false;
    for (let i = 0; i < 100 && !refused; i++) {
      const r = await Promise.allSettled(Array.from({ length: 100 }, (_, j) => same.record(toolEvent(i * 100 + j))));
      refused = r.some((x) => x.status === 'rejected');
    }
    expect(refused).toBe(true);
    const tok = await contractToken(key, { workspaceId: 'ws-a', permissions: ['aiops:read'] });
    const res = await down.inject({ url: '/workspaces/ws-a/access', headers: bearer(tok) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ reason: 'audit_spool_full' });
    expect(res.headers['retry-after']).toBe('5'); // a 503 always says when to retry (the fault matrix found it missing)
    const ready = await down.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('degraded');
    expect(ready.json().dependencies).toContainEqual(
      expect.objectContaining({ name: 'audit_spool', status: 'down', error: expect.stringMatching(/spool is full/) }),
    );
    const metrics = (await down.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/aiops_audit_spool_full 1/);
    expect(metrics).toMatch(/aiops_audit_events_rejected_total [1-9]/);
    await same.close();
    await down.close();
  });
});
