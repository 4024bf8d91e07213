/**
 * The workspace evaluator on both stores (SQLite and a PostgreSQL database of its own), driven by a
 * scripted observer and clock: alerts of one workload group into one incident (pods reduced to their
 * Deployment, Prometheus's `deployment` label alike), the incident resolves with its last alert, its
 * changes are audited once, two evaluators racing start one investigation, a failed observation
 * changes nothing, an audit that is down delays the incident's events (kept in the outbox) without
 * losing or doubling them, and workspaces never mix.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeEvent, type AuditEvent, type AuditEventInput, type AuditLog } from '../../src/audit/event.js';
import { WorkspaceEvaluator } from '../../src/monitoring/evaluate-workspace.js';
import { IncidentBook } from '../../src/monitoring/incident-book.js';
import { SqlMonitorStore } from '../../src/monitoring/monitor-store.js';
import type { ObservedAlert, WorkspaceObservation } from '../../src/monitoring/observe.js';
import { postgresDriver, sqliteDriver } from '../../src/storage/sql-drivers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase('monitor_eval');
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const stores: [string, () => SqlMonitorStore][] = [
  [
    'SQLite',
    () => new SqlMonitorStore(sqliteDriver(new BetterSqlite3(path.join(mkdtempSync(path.join(tmpdir(), 'monitor-eval-')), 'm.sqlite')))),
  ],
  ['PostgreSQL', () => new SqlMonitorStore(postgresDriver(pool, { dependency: 'monitor_store' }))],
];

const alert = (name: string, labels: Record<string, string>, extra: Partial<ObservedAlert> = {}): ObservedAlert => ({
  fingerprint: `${name}:${JSON.stringify(labels)}`,
  source: 'aiops',
  name,
  severity: 'warning',
  summary: `${name} on ${labels.pod ?? labels.deployment ?? '?'}`,
  labels,
  ...extra,
});

function harness(store: SqlMonitorStore, workspaceId: string) {
  let now = 1_800_000_000_000;
  let script: ObservedAlert[] | Error = [];
  const audited: AuditEvent[] = [];
  let auditFails = false;
  const audit: AuditLog = {
    record: async (e: AuditEventInput) => {
      if (auditFails) throw new Error('spool full');
      audited.push(normalizeEvent(e));
    },
  };
  const started: string[] = [];
  const book = new IncidentBook({
    store,
    audit,
    investigator: {
      start: async (_ws, incident) => {
        await new Promise((r) => setTimeout(r, 20)); // a start takes a moment: racing evaluators overlap
        started.push(incident.id);
        return { runId: `00000000-0000-4000-8000-${String(started.length).padStart(12, '0')}` };
      },
    },
    investigationRetryMs: 60_000,
  });
  const evaluator = () =>
    new WorkspaceEvaluator({
      store,
      incidents: book,
      forEvaluations: 2,
      now: () => now,
      observe: async (): Promise<WorkspaceObservation> => {
        if (script instanceof Error) throw script;
        return { alerts: script, noData: false, failedQueries: [] };
      },
    });
  const one = evaluator();
  return {
    evaluate: () => one.evaluate(workspaceId),
    evaluator,
    see: (alerts: ObservedAlert[] | Error) => (script = alerts),
    tick: (ms = 60_000) => (now += ms),
    audited,
    started,
    failAudit: (v: boolean) => (auditFails = v),
    book,
  };
}

describe.each(stores)('the evaluator on %s', (_name, makeStore) => {
  const ws = `ws-eval-${_name.toLowerCase()}`;
  // Built once the database exists (describe bodies run before beforeAll).
  let store: SqlMonitorStore;
  let h: ReturnType<typeof harness>;
  beforeAll(() => {
    store = makeStore();
    h = harness(store, ws);
  });
  const podA = alert('AIOpsMemoryGrowth', { namespace: 'shop', workload: 'api', pod: 'api-7d9f8b6c5d-x2x4z' });
  const podB = alert('AIOpsRestarts', { namespace: 'shop', pod: 'api-7d9f8b6c5d-k9q7w' }, { severity: 'critical' });
  const prom = alert(
    'KubeDeploymentReplicasMismatch',
    { namespace: 'shop', deployment: 'api' },
    { source: 'prometheus', sourceState: 'firing' },
  );
  const other = alert('AIOpsCpuSaturation', { namespace: 'batch', pod: 'etl-0' });

  it('groups the alerts of one workload into one incident, another workload into another, severity rising', async () => {
    h.see([podA, prom, other]);
    const first = await h.evaluate();
    expect(first.incidentsOpened.map((i) => i.resourceKey)).toEqual(['workload:shop/api']); // Prometheus's alert fired at once
    h.tick();
    h.see([podA, podB, prom, other]);
    const second = await h.evaluate();
    expect(second.incidentsOpened.map((i) => i.resourceKey)).toEqual(['workload:batch/etl']);
    h.tick();
    await h.evaluate(); // podB fires now and joins shop/api
    const open = await store.listIncidents(ws, { statuses: ['open'], limit: 10 });
    expect(open.map((i) => i.resourceKey).sort()).toEqual(['workload:batch/etl', 'workload:shop/api']);
    const api = open.find((i) => i.resourceKey === 'workload:shop/api')!;
    expect(api.severity).toBe('critical');
    expect((await store.alertsOfIncident(ws, api.id)).map((a) => a.name).sort()).toEqual([
      'AIOpsMemoryGrowth',
      'AIOpsRestarts',
      'KubeDeploymentReplicasMismatch',
    ]);
    expect(h.started).toHaveLength(2);
    expect((await store.getIncident(ws, api.id))!.runId).toMatch(/^00000000-/);
  });

  it('an observation that fails changes nothing', async () => {
    const before = await store.listAlerts(ws, { states: ['pending', 'firing', 'resolved'], limit: 100 });
    h.see(new Error('prometheus down'));
    h.tick();
    await expect(h.evaluate()).rejects.toThrow('prometheus down');
    expect(await store.listAlerts(ws, { states: ['pending', 'firing', 'resolved'], limit: 100 })).toEqual(before);
  });

  it('the incident resolves with its last alert, not before; each change audited once', async () => {
    h.see([other]);
    h.tick();
    await h.evaluate(); // shop/api alerts missed once: still firing
    expect((await store.listIncidents(ws, { statuses: ['resolved'], limit: 10 })).length).toBe(0);
    h.tick();
    const done = await h.evaluate(); // missed twice: resolved, and the incident with them
    expect(done.incidentsResolved.map((i) => i.resourceKey)).toEqual(['workload:shop/api']);
    h.tick();
    await h.evaluate();
    const byAction = (action: string) => h.audited.filter((e) => e.event_type === 'incident' && e.details.action === action);
    expect(byAction('opened')).toHaveLength(2);
    expect(byAction('resolved')).toHaveLength(1);
    expect(byAction('resolved')[0]).toMatchObject({ initiated_by: 'system', user_id: 'AIOpsAgent', workspace_id: ws });
    expect(byAction('investigation_started').every((e) => e.initiated_by === 'AIOpsAgent')).toBe(true);
  });

  it('two evaluators racing on one workspace start one investigation per incident', async () => {
    const race = harness(store, `${ws}-race`);
    const fresh = alert('AIOpsOomKill', { namespace: 'web', pod: 'front-7d9f8b6c5d-x2x4z' }, { sourceState: 'firing' });
    race.see([fresh]);
    const [a, b] = [race.evaluator(), race.evaluator()];
    for (let round = 0; round < 3; round++) {
      await Promise.all([a.evaluate(`${ws}-race`), b.evaluate(`${ws}-race`)]);
      race.tick(1000);
    }
    expect(race.started).toHaveLength(1);
    expect(await store.listIncidents(`${ws}-race`, { statuses: ['open'], limit: 10 })).toHaveLength(1);
  });

  it('an audit that is down delays the incident events, never loses or doubles them', async () => {
    const rb = harness(store, `${ws}-outbox`);
    rb.see([alert('AIOpsOomKill', { namespace: 'web', pod: 'cart-0' }, { sourceState: 'firing' })]);
    rb.failAudit(true);
    await rb.evaluate(); // the change is stored; its audit event waits in the outbox
    const [incident] = await store.listIncidents(`${ws}-outbox`, { statuses: ['open'], limit: 10 });
    expect(incident).toBeDefined();
    const opened = () => rb.audited.filter((e) => e.event_type === 'incident' && e.details.action === 'opened');
    expect(opened()).toEqual([]);
    rb.tick();
    await rb.evaluate();
    expect(opened()).toEqual([]);
    rb.failAudit(false);
    rb.tick();
    await rb.evaluate();
    rb.tick();
    await rb.evaluate();
    expect(opened()).toHaveLength(1);
    expect(opened()[0]!.details).toMatchObject({ incident_id: incident!.id });
  });

  it('the outbox sweep ships what the audit refused, without an evaluation, once', async () => {
    const quiet = harness(store, `${ws}-sweep`);
    quiet.see([alert('AIOpsOomKill', { namespace: 'web', pod: 'cart-1' }, { sourceState: 'firing' })]);
    quiet.failAudit(true);
    await quiet.evaluate();
    const opened = () => quiet.audited.filter((e) => e.event_type === 'incident' && e.details.action === 'opened');
    expect(await quiet.book.shipOutboxes()).toContain(`${ws}-sweep`); // still refused: still waiting
    expect(opened()).toEqual([]);
    quiet.failAudit(false);
    expect(await quiet.book.shipOutboxes()).toEqual([]);
    expect(opened()).toHaveLength(1);
    await quiet.book.shipOutboxes();
    expect(opened()).toHaveLength(1);
    expect(await store.workspacesWithOutbox(1000)).not.toContain(`${ws}-sweep`);
  });

  it('workspaces never mix, even with the same fingerprints', async () => {
    const elsewhere = `${ws}-other`;
    expect(await store.listAlerts(elsewhere, { states: ['pending', 'firing', 'resolved'], limit: 100 })).toEqual([]);
    const mine = await store.listIncidents(ws, { statuses: ['open', 'resolved'], limit: 10 });
    expect(await store.getIncident(elsewhere, mine[0]!.id)).toBeUndefined();
    expect(await store.alertsOfIncident(elsewhere, mine[0]!.id)).toEqual([]);
  });
});
