/**
 * security_events on chDB over the platform's `security_events` laid out as in production, with two
 * workspaces: the tool folds the caller's events by source, user, action or type and never another
 * workspace's, whatever a filter carries; the security analysers find brute force, password spraying,
 * high-risk bursts and privilege escalation in them, and the diagnosis names each.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/analysis/diagnose/index.js';
import { escalationFindings, sourceFindings } from '../../src/analysis/findings/security-events.js';
import { createClickHouse, type ClickHouseHandle } from '../../src/clients/clickhouse.js';
import type { LogsSource } from '../../src/logs/logs-source.js';
import { createToolBox, type ToolBox, type ToolDefinition, type ToolResult } from '../../tools/index.js';
import { securityEvents, type SecurityEventsOutput } from '../../tools/security-events.js';
import { createLogsTables, securityRow, testLogsSource } from '../helpers/logs-tables.js';
import { ctxFor, FakeAuditLog } from '../unit/tools/fakes.js';

const MIN = 60_000;
const NOW = Math.floor(Date.now() / MIN) * MIN;
const DB = 'hexabase_logs';
const SECRET = 'SECRET-B';

let dir: string;
let ch: ClickHouseHandle;
let logs: LogsSource;

const row = (ws: string, age: number, o: Record<string, unknown> = {}) => securityRow(NOW, ws, age, o);
const ROWS = [
  // Brute force: 30 failed logins of alice from one source.
  ...Array.from({ length: 30 }, (_, i) => row('ws-a', 1 + (i % 40))),
  // Password spraying: 12 failures against 6 users from another source.
  ...Array.from({ length: 12 }, (_, i) => row('ws-a', 5 + i, { source_ip: '198.51.100.9', user_id: `user-${i % 6}`, risk_score: 55 })),
  // A high-risk burst (scores written 0–100).
  ...Array.from({ length: 3 }, (_, i) =>
    row('ws-a', 3 + i, {
      source_ip: '192.0.2.1',
      event_type: 'api_call',
      action: 'list_secrets',
      result: 'success',
      risk_score: 97,
      message: 'secrets listed',
    }),
  ),
  // Privilege escalation attempts, denied.
  ...Array.from({ length: 4 }, (_, i) =>
    row('ws-a', 8 + i, {
      source_ip: '10.0.0.8',
      user_id: 'bob',
      event_type: 'rbac_escalation',
      action: 'create_clusterrolebinding',
      result: 'denied',
      message: 'cluster-admin binding refused',
    }),
  ),
  // Routine successes.
  ...Array.from({ length: 5 }, (_, i) =>
    row('ws-a', 2 + i, { source_ip: '10.0.0.1', user_id: 'carol', result: 'success', message: 'ok', risk_score: 0.1 }),
  ),
  // A Float32 score on the boundary of a filter (0.7 is 0.699999988 in Float64).
  row('ws-a', 4, { source_ip: '10.9.9.9', user_id: 'dave', result: 'success', message: 'ok', risk_score: 0.7 }),
  // ws-b: the same sources and much more, carrying the marker.
  ...Array.from({ length: 100 }, (_, i) => row('ws-b', 1 + (i % 30), { message: `${SECRET} invalid password` })),
  row('ws-b', 2, { source_ip: "' OR 1=1 --", user_id: "' OR 1=1 --", event_type: "' OR 1=1 --", message: `${SECRET} payload row` }),
];

function box(source: LogsSource = logs): ToolBox {
  return createToolBox([securityEvents] as unknown as ToolDefinition<never, unknown>[], {
    metrics: undefined as never,
    audit: new FakeAuditLog(),
    now: () => NOW,
    logs: source,
  });
}
const read = (ws: string) => ctxFor(ws, ['aiops:read']);
const dataOf = (r: ToolResult) => (r.status === 'ok' ? (r.data as SecurityEventsOutput) : undefined);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'aiops-security-'));
  ch = await createClickHouse({ embeddedPath: path.join(dir, 'clickhouse') });
  await createLogsTables(ch.client, DB);
  await ch.client.insert({ table: `${DB}.security_events`, values: ROWS, format: 'JSONEachRow' });
  logs = testLogsSource(dir);
});
afterAll(async () => {
  await logs?.close();
  await ch?.close();
});

describe('security_events', () => {
  it("folds the caller's events by source, most failures first, with users, risk and the newest events", async () => {
    const r = await box().run('security_events', {}, read('ws-a'));
    expect(JSON.stringify(r)).not.toContain(SECRET);
    const data = dataOf(r)!;
    expect(data.group_by).toBe('source_ip');
    expect(data.groups.map((g) => [g.key, g.count, g.failures, g.users])).toEqual([
      ['203.0.113.7', 30, 30, 1],
      ['198.51.100.9', 12, 12, 6],
      ['10.0.0.8', 4, 4, 1],
      ['10.0.0.1', 5, 0, 1],
      ['192.0.2.1', 3, 0, 1],
      ['10.9.9.9', 1, 0, 1],
    ]);
    expect(data.groups[4]!.max_risk_score).toBeCloseTo(97);
    expect(data.events).toHaveLength(20);
    expect(data.events[0]!.time >= data.events[19]!.time).toBe(true);
    const byUser = dataOf(await box().run('security_events', { group_by: 'user_id', failed_only: true }, read('ws-a')))!;
    expect(byUser.groups[0]).toMatchObject({ key: 'alice', failures: 30 });
    expect(byUser.groups.find((g) => g.key === 'carol')).toBeUndefined(); // no failures
    const risky = dataOf(await box().run('security_events', { min_risk_score: 90 }, read('ws-a')))!;
    expect(risky.groups.map((g) => g.key)).toEqual(['192.0.2.1']);
    // The boundary holds at the column's own precision.
    const boundary = dataOf(await box().run('security_events', { min_risk_score: 0.7, source_ip: '10.9.9.9' }, read('ws-a')))!;
    expect(boundary.groups.map((g) => g.key)).toEqual(['10.9.9.9']);
  });

  it('no filter value reaches another workspace; the schema refuses a workspace argument', async () => {
    const payloads = [
      'ws-b',
      "' OR 1=1 --",
      "x' OR workspace_id = 'ws-b' --",
      '{tenant:String}',
      SECRET,
      '203.0.113.7',
      'alice',
      'login',
      '%',
    ];
    let answered = 0;
    for (const p of payloads)
      for (const field of ['event_type', 'user_id', 'source_ip']) {
        const r = await box().run('security_events', { [field]: p, window_minutes: 10_080 }, read('ws-a'));
        expect(['ok', 'no_data'], `${field}=${p}: ${JSON.stringify(r)}`).toContain(r.status);
        expect(JSON.stringify(r), `${field}=${p}`).not.toContain(SECRET);
        if (r.status === 'ok') answered += 1;
      }
    expect(answered).toBe(3); // ws-a's own source, user and event type
    expect(JSON.stringify(await box().run('security_events', { source_ip: "' OR 1=1 --" }, read('ws-b')))).toContain(SECRET);
    const refused = await box().run('security_events', { workspace_id: 'ws-b' }, read('ws-a'));
    expect(refused.status).toBe('error');
  });

  it('a missing table is a stated gap', async () => {
    const other = testLogsSource(dir, { database: 'no_such_db' });
    try {
      const r = await box(other).run('security_events', {}, read('ws-a'));
      expect(r).toMatchObject({ status: 'no_data' });
      expect((r as { message: string }).message).toMatch(/^gap: /);
    } finally {
      await other.close();
    }
  });
});

describe('security analysers on the tool answers', () => {
  it('find brute force, password spraying, a high-risk burst and privilege escalation attempts, and the diagnosis names them', async () => {
    const bySource = dataOf(await box().run('security_events', { limit: 100 }, read('ws-a')))!.groups;
    const byType = dataOf(await box().run('security_events', { group_by: 'event_type', limit: 100 }, read('ws-a')))!.groups;
    const found = [...sourceFindings(bySource), ...escalationFindings(byType)];
    expect(found.map((f) => [f.id, f.severity])).toEqual([
      ['security:brute_force:203.0.113.7', 'warning'],
      ['security:password_spraying:198.51.100.9', 'critical'],
      ['security:risk_burst:192.0.2.1', 'critical'],
      ['security:privilege_escalation:rbac_escalation', 'warning'],
    ]);
    expect(found[0]!.evidence[0]).toMatchObject({ series: 'security_events{source_ip="203.0.113.7"}', value: 30 });
    const causes = diagnose(found, {
      analysisType: 'security',
      window: { start: (NOW - 3_600_000) / 1000, end: NOW / 1000 },
    }).diagnosis.hypotheses.map((h) => h.cause);
    expect(causes).toEqual(
      expect.arrayContaining([
        'brute-force login attempts from 203.0.113.7: 30 failed logins against 1 user(s)',
        'password spraying from 198.51.100.9: 12 failed logins against 6 user(s)',
        'burst of high-risk security events from 192.0.2.1 (3 events, risk up to 97)',
        'privilege escalation attempts (rbac_escalation): 4 denied, 0 allowed',
      ]),
    );
    // Routine successes are no finding.
    expect(found.some((f) => JSON.stringify(f).includes('10.0.0.1'))).toBe(false);
  });
});
