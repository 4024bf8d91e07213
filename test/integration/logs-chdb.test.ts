/**
 * The logs source and its tools on chDB's engine (ClickHouse 26.7 in-process), over the platform's
 * `k8s_events` and the OpenTelemetry exporter's `otel_logs` as they are laid out in production,
 * with rows of two workspaces: each caller reads only its own rows, whatever it puts in any
 * argument; every query is bounded; a missing table or a dead server is a stated gap, never a throw.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseHandle } from '../../src/clients/clickhouse.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_LOGS_BOUNDS, type LogsSource } from '../../src/logs/logs-source.js';
import { buildConfinedQuery } from '../../src/logs/query-builder.js';
import { K8S_EVENTS, otelLogsTable } from '../../src/logs/tables.js';
import { buildLogsSource } from '../../src/wiring/logs-source.js';
import { createToolBox, type ToolBox, type ToolDefinition, type ToolResult } from '../../tools/index.js';
import { listEvents, type ListEventsOutput } from '../../tools/list-events.js';
import { logPatterns } from '../../tools/log-patterns.js';
import { queryLogs, type QueryLogsOutput } from '../../tools/query-logs.js';
import { createLogsTables, eventRow, logRow, testLogsSource } from '../helpers/logs-tables.js';
import { DEAD_URL } from '../helpers/services.js';
import { authFor, ctxFor, FakeAuditLog } from '../unit/tools/fakes.js';

const MIN = 60_000;
/** The real clock (to the minute): the tables keep the platform's 30-day TTL, which drops older rows on insert. */
const NOW = Math.floor(Date.now() / MIN) * MIN;
const DB = 'hexabase_logs';
/** Only ws-b's rows carry it: any answer to ws-a that contains it leaked. */
const SECRET = 'SECRET-B';

let dir: string;
let ch: ClickHouseHandle;
let logs: LogsSource;

const event = (ws: string, ageMin: number, o: Record<string, unknown> = {}) => eventRow(NOW, ws, ageMin, o);
const logLine = (
  ws: string | undefined,
  ageMin: number,
  body: string,
  o: Record<string, unknown> = {},
  attrs: Record<string, string> = {},
) => logRow(NOW, ws, ageMin, body, o, attrs);

const EVENTS = [
  event('ws-a', 50, { count: 1 }),
  event('ws-a', 30, { count: 2 }),
  event('ws-a', 10, { count: 3 }),
  event('ws-a', 55, { reason: 'Scheduled', event_type: 'Normal', message: 'Successfully assigned shop/api-1 to node-1' }),
  event('ws-a', 180, { name: 'api-0', reason: 'Killing', message: 'Stopping container api' }),
  event('ws-a', 8 * 24 * 60, { name: 'api-ancient', reason: 'Killing', message: 'eight days old' }),
  event('ws-a', 5, { namespace: "it's \\ odd", name: "o'brien", message: 'quoted names "are" fine' }),
  // ws-b: the same objects, and values that look like the smuggling payloads themselves.
  event('ws-b', 20, { message: `${SECRET} back-off` }),
  event('ws-b', 20, { reason: 'FailedScheduling', message: `${SECRET} 0/3 nodes are available` }),
  event('ws-b', 20, { namespace: "' OR 1=1 --", name: "' OR 1=1 --", reason: "' OR 1=1 --", message: `${SECRET} payload row` }),
  event('ws-b', 20, { namespace: "it's \\ odd", name: "o'brien", message: `${SECRET} quoted twin` }),
  event('', 20, { message: `${SECRET} row without a workspace` }),
  event('ws-a\u0000', 20, { message: `${SECRET} NUL suffix` }),
];

const LOGS = [
  logLine('ws-a', 40, 'dial tcp 10.0.0.5:5432: Connection Refused', { SeverityText: 'ERROR', SeverityNumber: 17 }),
  logLine('ws-a', 30, 'GET /cart 200 in 12ms'),
  logLine('ws-a', 20, 'slow query: 1.2 s', { SeverityText: 'WARN', SeverityNumber: 13 }),
  // Only the text says ERROR: the severity is derived from it.
  logLine('ws-a', 10, 'payment provider timeout', { SeverityText: 'ERROR', SeverityNumber: 0 }),
  logLine(
    'ws-a',
    5,
    `user said "it's broken" \\ twice`,
    {},
    { 'k8s.pod.name': 'web-1', 'k8s.deployment.name': 'web', 'k8s.container.name': 'nginx' },
  ),
  logLine('ws-a', 300, 'five hours ago'),
  logLine('ws-b', 15, `${SECRET} connection refused`, { SeverityText: 'ERROR', SeverityNumber: 17 }),
  logLine('ws-b', 15, `${SECRET} ' OR 1=1 -- payload line`, {}, { 'k8s.namespace.name': "' OR 1=1 --", 'k8s.pod.name': "' OR 1=1 --" }),
  logLine('ws-b', 15, `${SECRET} it's broken \\ twin`, {}, { 'k8s.pod.name': 'web-1' }),
  logLine(undefined, 15, `${SECRET} line without a workspace attribute`),
  logLine('ws-b', 15, `${SECRET} carries ws-a under another key`, {}, { 'hexabase.workspace': 'ws-a' }),
];

const source = (options: Parameters<typeof testLogsSource>[1] = {}): LogsSource => testLogsSource(dir, options);

/** The log tools over `logsSource` (null: none configured). */
function box(logsSource: LogsSource | null = logs): ToolBox {
  return createToolBox([listEvents, queryLogs, logPatterns] as unknown as ToolDefinition<never, unknown>[], {
    metrics: undefined as never, // the log tools read no metrics
    audit: new FakeAuditLog(),
    now: () => NOW,
    ...(logsSource ? { logs: logsSource } : {}),
  });
}

const read = (ws: string) => ctxFor(ws, ['aiops:read']);
const eventsOf = (r: ToolResult) => (r.status === 'ok' ? (r.data as ListEventsOutput).events : []);
const linesOf = (r: ToolResult) => (r.status === 'ok' ? (r.data as QueryLogsOutput).lines : []);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aiops-logs-'));
  ch = await createClickHouse({ embeddedPath: path.join(dir, 'clickhouse') });
  await createLogsTables(ch.client, DB);
  await ch.client.insert({ table: `${DB}.k8s_events`, values: EVENTS, format: 'JSONEachRow' });
  await ch.client.insert({ table: `${DB}.otel_logs`, values: LOGS, format: 'JSONEachRow' });
  logs = source();
});

afterAll(async () => {
  await logs?.close();
  await ch?.close();
});

describe('list_events', () => {
  it("answers the caller's events only, identical ones folded with count and first/last seen, newest first", async () => {
    const r = await box().run('list_events', {}, read('ws-a'));
    expect(r.status).toBe('ok');
    const events = eventsOf(r);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(events.map((e) => `${e.reason}/${e.name}`)).toEqual(["BackOff/o'brien", 'BackOff/api-1', 'Scheduled/api-1']);
    expect(events[1]).toMatchObject({
      count: 6,
      first_seen: new Date(NOW - 50 * MIN).toISOString(),
      last_seen: new Date(NOW - 10 * MIN).toISOString(),
      type: 'Warning',
      kind: 'Pod',
      namespace: 'shop',
      source: 'kubelet',
    });
    // The other workspace sees its own, not ws-a's.
    const b = eventsOf(await box().run('list_events', {}, read('ws-b')));
    expect(b.length).toBe(4);
    expect(b.every((e) => e.message.startsWith(SECRET))).toBe(true);
  });

  it('filters by kind, name, namespace, reason and type; the window reaches older events', async () => {
    const t = box();
    expect(eventsOf(await t.run('list_events', { type: 'Normal' }, read('ws-a'))).map((e) => e.reason)).toEqual(['Scheduled']);
    expect(eventsOf(await t.run('list_events', { reason: 'BackOff', namespace: 'shop' }, read('ws-a'))).map((e) => e.count)).toEqual([6]);
    expect(await t.run('list_events', { kind: 'Node' }, read('ws-a'))).toMatchObject({ status: 'no_data' });
    expect(await t.run('list_events', { name: 'api-0' }, read('ws-a'))).toMatchObject({ status: 'no_data' }); // 3 h ago: outside 60 min
    expect(eventsOf(await t.run('list_events', { name: 'api-0', window_minutes: 240 }, read('ws-a'))).map((e) => e.reason)).toEqual([
      'Killing',
    ]);
    expect(eventsOf(await t.run('list_events', { namespace: "it's \\ odd", name: "o'brien" }, read('ws-a')))).toEqual([
      expect.objectContaining({ message: 'quoted names "are" fine' }),
    ]);
  });
});

describe('query_logs', () => {
  it("answers the caller's lines only, newest first, searched case-insensitively", async () => {
    const t = box();
    const all = linesOf(await t.run('query_logs', {}, read('ws-a')));
    expect(all.map((l) => l.body)).toEqual([
      `user said "it's broken" \\ twice`,
      'payment provider timeout',
      'slow query: 1.2 s',
      'GET /cart 200 in 12ms',
      'dial tcp 10.0.0.5:5432: Connection Refused',
    ]);
    expect(all[4]).toMatchObject({
      namespace: 'shop',
      pod: 'checkout-7d9-abc',
      container: 'app',
      deployment: 'checkout',
      service: 'checkout',
      severity: 'ERROR',
    });
    const refused = await t.run('query_logs', { search: 'connection REFUSED' }, read('ws-a'));
    expect(linesOf(refused).map((l) => l.body)).toEqual(['dial tcp 10.0.0.5:5432: Connection Refused']);
    expect(JSON.stringify(refused)).not.toContain(SECRET);
    // ws-b's own line with the same words: it is there, for ws-b.
    expect(linesOf(await t.run('query_logs', { search: 'connection refused' }, read('ws-b'))).map((l) => l.body)).toEqual([
      `${SECRET} connection refused`,
    ]);
  });

  it('filters by severity (derived from the text when the number is 0), pod, container, deployment and window', async () => {
    const t = box();
    const errors = linesOf(await t.run('query_logs', { min_severity: 'error' }, read('ws-a')));
    expect(errors.map((l) => [l.body, l.severity_number])).toEqual([
      ['payment provider timeout', 17],
      ['dial tcp 10.0.0.5:5432: Connection Refused', 17],
    ]);
    expect(linesOf(await t.run('query_logs', { min_severity: 'warn' }, read('ws-a'))).length).toBe(3);
    for (const args of [{ pod: 'web-1' }, { deployment: 'web' }, { container: 'nginx' }, { namespace: 'shop', search: "IT'S BROKEN" }])
      expect(
        linesOf(await t.run('query_logs', args, read('ws-a'))).map((l) => l.body),
        JSON.stringify(args),
      ).toEqual([`user said "it's broken" \\ twice`]);
    expect(await t.run('query_logs', { search: 'five hours' }, read('ws-a'))).toMatchObject({ status: 'no_data' });
    expect(linesOf(await t.run('query_logs', { search: 'five hours', window_minutes: 360 }, read('ws-a'))).length).toBe(1);
  });

  it('takes the workspace from LOGS_TENANT_ATTRIBUTE', async () => {
    const other = source({ tenantAttribute: 'hexabase.workspace' });
    try {
      const lines = linesOf(await box(other).run('query_logs', {}, read('ws-a')));
      expect(lines.map((l) => l.body)).toEqual([`${SECRET} carries ws-a under another key`]);
    } finally {
      await other.close();
    }
  });
});

/** Values an attacker would put in a field to reach another workspace's rows. */
const PAYLOADS = [
  'ws-b',
  "' OR 1=1 --",
  "x' OR workspace_id = 'ws-b' --",
  "\\' OR 1=1 --",
  "shop') OR (1=1",
  "shop' OR workspace_id != '",
  'shop\\',
  '%',
  '.*',
  SECRET,
  '{tenant:String}',
  "ws-b'} OR 1 --",
  "'; DROP TABLE hexabase_logs.k8s_events; --",
  'shop\nOR 1=1',
  "it's \\ odd",
  "o'brien",
  'web-1',
  'api-1',
  'BackOff',
];

describe('confinement', () => {
  it('no value in any field of the three tools reaches another workspace', async () => {
    const toolbox = box();
    const calls: { tool: string; args: Record<string, unknown> }[] = [];
    for (const p of PAYLOADS) {
      for (const field of ['kind', 'name', 'namespace', 'reason'])
        calls.push({ tool: 'list_events', args: { [field]: p, window_minutes: 10_080 } });
      for (const field of ['search', 'namespace', 'pod', 'container', 'deployment'])
        calls.push({ tool: 'query_logs', args: { [field]: p, window_minutes: 10_080, limit: 500 } });
      for (const field of ['namespace', 'pod', 'deployment'])
        calls.push({ tool: 'log_patterns', args: { [field]: p, window_minutes: 5_040 } });
    }
    let answered = 0;
    for (const { tool, args } of calls) {
      const r = await toolbox.run(tool, args, read('ws-a'));
      expect(['ok', 'no_data'], `${tool} ${JSON.stringify(args)}: ${JSON.stringify(r)}`).toContain(r.status);
      expect(JSON.stringify(r), `${tool} ${JSON.stringify(args)}`).not.toContain(SECRET);
      if (r.status === 'ok') answered += 1;
    }
    expect(answered).toBe(6); // the payloads that are ws-a's own values find them (namespace, name, reason, pod; log_patterns' pod)
    // The same payloads as ws-b find ws-b's rows: the marker is reachable, just not from ws-a.
    expect(JSON.stringify(await toolbox.run('list_events', { name: "' OR 1=1 --" }, read('ws-b')))).toContain(SECRET);
    expect(JSON.stringify(await toolbox.run('query_logs', { search: "' OR 1=1 --" }, read('ws-b')))).toContain(SECRET);
    // The tables are intact.
    expect(eventsOf(await toolbox.run('list_events', {}, read('ws-a'))).length).toBe(3);
  });

  it('a workspace (or any unknown field) in the arguments is refused by the schema', async () => {
    const toolbox = box();
    for (const tool of ['list_events', 'query_logs'])
      for (const extra of [{ workspace_id: 'ws-b' }, { tenant: 'ws-b' }, { database: 'system' }, { table: 'security_events' }]) {
        const r = await toolbox.run(tool, extra, read('ws-a'));
        expect(r.status, `${tool} ${JSON.stringify(extra)}`).toBe('error');
        expect(JSON.stringify(r)).toContain(Object.keys(extra)[0]);
      }
  });

  it('the query builder puts every value in a parameter and the workspace predicate from the AuthContext first', () => {
    const payload = "x' OR workspace_id = 'ws-b' --";
    const built = buildConfinedQuery(
      authFor('ws-a', ['aiops:read']),
      DB,
      {
        table: otelLogsTable('workspace_id'),
        select: { body: 'Body' },
        filters: [
          { field: 'namespace', op: 'eq', value: payload },
          { field: 'body', op: 'contains', value: payload },
        ],
        window: { fromMs: NOW - 60 * MIN, toMs: NOW },
        orderBy: 'Timestamp DESC',
        limit: 10,
      },
      DEFAULT_LOGS_BOUNDS,
    );
    expect(built.sql).not.toContain(payload);
    expect(built.sql).not.toContain('ws-a');
    expect(built.sql).toMatch(/WHERE \(ResourceAttributes\[\{tenant_key:String\}\]\) = \{tenant:String\}\n/);
    expect(built.params).toMatchObject({ tenant: 'ws-a', tenant_key: 'workspace_id', f0: payload, f1: payload, row_limit: 10 });
    expect(built.sql).toMatch(
      /SETTINGS max_execution_time = 10, max_result_rows = 500, result_overflow_mode = 'throw', max_bytes_to_read = \d+/,
    );
    // A field the table does not have is refused, not passed through as a column.
    expect(() =>
      buildConfinedQuery(
        authFor('ws-a', ['aiops:read']),
        DB,
        {
          table: K8S_EVENTS,
          select: { n: 'name' },
          filters: [{ field: 'workspace_id', op: 'eq', value: 'ws-b' }],
          window: { fromMs: 0, toMs: 1 },
          orderBy: 'n',
          limit: 1,
        },
        DEFAULT_LOGS_BOUNDS,
      ),
    ).toThrow(/no filter field/);
  });
});

describe('bounds', () => {
  it('the row limit and the window are capped by the tools and by the builder', async () => {
    const toolbox = box();
    const one = await toolbox.run('query_logs', { limit: 1 }, read('ws-a'));
    expect(linesOf(one).length).toBe(1);
    expect(eventsOf(await toolbox.run('list_events', { limit: 2 }, read('ws-a'))).length).toBe(2);
    for (const [tool, args] of [
      ['query_logs', { limit: 501 }],
      ['list_events', { limit: 501 }],
      ['query_logs', { window_minutes: 10_081 }],
      ['list_events', { window_minutes: 10_081 }],
      ['query_logs', { search: 'x'.repeat(257) }],
    ] as const)
      expect((await toolbox.run(tool, args, read('ws-a'))).status, `${tool} ${JSON.stringify(args)}`).toBe('error');
    // The eight-day-old event is out of reach even at the longest window.
    expect(JSON.stringify(await toolbox.run('list_events', { window_minutes: 10_080 }, read('ws-a')))).not.toContain('api-ancient');
    // Below the tools, the source refuses a longer window or more rows itself.
    const auth = authFor('ws-a', ['aiops:read']);
    await expect(logs.events(auth, { window: { fromMs: NOW - 8 * 86_400_000, toMs: NOW }, limit: 10 })).rejects.toMatchObject({
      kind: 'limit_exceeded',
      details: { limit: 'window' },
    });
    await expect(logs.logs(auth, { window: { fromMs: NOW - MIN, toMs: NOW }, limit: 501 })).rejects.toMatchObject({
      kind: 'limit_exceeded',
      details: { limit: 'rows' },
    });
  });

  it('bytes read are bounded per query, and the bound does not stay on the shared session', async () => {
    const tiny = source({ bounds: { maxBytesToRead: 16 } });
    try {
      const r = await box(tiny).run('list_events', {}, read('ws-a'));
      expect(r).toMatchObject({ status: 'error', message: expect.stringContaining('gap'), details: { kind: 'limit_exceeded' } });
    } finally {
      await tiny.close();
    }
    // The audit shares this embedded client: a session-wide setting would now break its reads.
    const rs = await ch.client.query({ query: 'SELECT count() AS n FROM numbers(100000)', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ n: expect.anything() }]);
    const rows = await ch.client.query({ query: 'SELECT number FROM numbers(1000)', format: 'JSONEachRow' });
    expect((await rows.json()).length).toBe(1000);
  });
});

describe('gaps', () => {
  it('a missing table answers no_data with the gap, not a throw', async () => {
    const missing = source({ database: 'no_such_db' });
    try {
      for (const tool of ['list_events', 'query_logs']) {
        const r = await box(missing).run(tool, {}, read('ws-a'));
        expect(r, tool).toMatchObject({
          status: 'no_data',
          message: expect.stringMatching(/^gap: table no_such_db\.(k8s_events|otel_logs) does not exist/),
        });
      }
    } finally {
      await missing.close();
    }
    await ch.client.command({ query: `CREATE DATABASE IF NOT EXISTS empty_logs` });
    const empty = source({ database: 'empty_logs' });
    try {
      expect(await box(empty).run('list_events', {}, read('ws-a'))).toMatchObject({
        status: 'no_data',
        message: expect.stringContaining('empty_logs.k8s_events does not exist'),
      });
    } finally {
      await empty.close();
    }
  });

  it('an unreachable server answers error with the gap; no source at all is no_data', async () => {
    const dead = source({ url: DEAD_URL.http });
    try {
      const r = await box(dead).run('query_logs', {}, read('ws-a'));
      expect(r).toMatchObject({ status: 'error', message: expect.stringContaining('gap'), details: { kind: 'unavailable' } });
    } finally {
      await dead.close();
    }
    expect(await box(null).run('list_events', {}, read('ws-a'))).toMatchObject({ status: 'no_data' });
  });

  it("the wiring's source joins the embedded chDB already open for the data directory (one directory per process)", async () => {
    await expect(createClickHouse({ embeddedPath: path.join(dir, 'elsewhere') })).rejects.toThrow(/one data directory/);
    const wired = buildLogsSource(loadConfig({ AIOPS_DATA_DIR: dir }));
    try {
      expect(eventsOf(await box(wired).run('list_events', {}, read('ws-a'))).length).toBe(3);
    } finally {
      await wired.close();
    }
    // Closing it released only its reference: the shared client still answers.
    expect(await (await ch.client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json()).toEqual([{ one: 1 }]);
  });
});
