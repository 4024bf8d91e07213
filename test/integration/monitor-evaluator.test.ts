/**
 * The monitoring loop's evaluator end to end on both stores (SQLite in a temporary directory and a
 * PostgreSQL database of its own), driven by a scripted observer, a controllable clock, a recording
 * audit log (every event validated by normalizeEvent, as the real pipeline does) and a fake
 * Investigator: the alert lifecycle as stored, grouping into incidents, resolution and its audit
 * events, one investigation per incident across replicas (and its retry), failed observations and
 * failed audits changing nothing, and workspaces that never mix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditUnavailableError, normalizeEvent, type AuditEvent, type AuditEventInput, type AuditLog } from '../../src/audit/event.js';
import { WorkspaceEvaluator, type EvaluationResult, type Investigator } from '../../src/monitoring/evaluate-workspace.js';
import { IncidentBook, noIncidentChanges } from '../../src/monitoring/incident-book.js';
import { SqlMonitorStore, type StoredAlert, type StoredIncident } from '../../src/monitoring/monitor-store.js';
import type { ObservedAlert, ObserveWorkspace } from '../../src/monitoring/observe.js';
import { postgresDriver, sqliteDriver } from '../../src/storage/sql-drivers.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-db.js';

const T0 = 1_900_000_000_000;
const MINUTE = 60_000;
const RETRY_MS = 5 * MINUTE;
const ALL_STATES = ['pending', 'firing', 'resolved'] as const;
const ALL_STATUSES = ['open', 'resolved'] as const;

let pgDb: TestDatabase;
const pools: pg.Pool[] = [];
const sqliteDirs: string[] = [];
beforeAll(async () => {
  pgDb = await createTestDatabase('monitor_evaluator');
});
afterAll(async () => {
  for (const p of pools) await p.end();
  await pgDb?.drop();
  for (const d of sqliteDirs) rmSync(d, { recursive: true, force: true });
});

interface StoreRig {
  /** The store evaluations write through. */
  store: SqlMonitorStore;
  /** A second replica's view of the same database. */
  replica: SqlMonitorStore;
  /**
   * Whether a statement outside an open transaction runs while it is open. PostgreSQL: yes (another
   * pooled connection). SQLite: no, the driver queues every statement behind the open transaction.
   */
  overlapsTransactions: boolean;
}

const backends: [string, () => StoreRig][] = [
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'monitor-evaluator-'));
      sqliteDirs.push(dir);
      // One process holds one connection: its replicas share it (a second connection would block the event loop on SQLite's lock).
      const store = new SqlMonitorStore(sqliteDriver(new BetterSqlite3(path.join(dir, 'monitor.sqlite'))));
      return { store, replica: store, overlapsTransactions: false };
    },
  ],
  [
    'PostgreSQL',
    () => {
      const pool = (): pg.Pool => {
        const p = new pg.Pool({ connectionString: pgDb.url, max: 6 });
        pools.push(p);
        return p;
      };
      return {
        store: new SqlMonitorStore(postgresDriver(pool(), { dependency: 'monitor_store' })),
        replica: new SqlMonitorStore(postgresDriver(pool(), { dependency: 'monitor_store' })),
        overlapsTransactions: true,
      };
    },
  ],
];

// ── test doubles ────────────────────────────────────────────────────────────

class Clock {
  ms = T0;
  readonly now = () => this.ms;
  tick(ms = MINUTE) {
    this.ms += ms;
  }
}

/** What the metrics source "sees" per workspace, or an error (the source is down). */
class ScriptedObserver {
  private readonly script = new Map<string, ObservedAlert[] | Error>();
  readonly calls: { workspaceId: string; atMs: number }[] = [];
  see(workspaceId: string, alerts: ObservedAlert[] | Error) {
    this.script.set(workspaceId, alerts);
  }
  readonly observe: ObserveWorkspace = async (ws, atMs) => {
    this.calls.push({ workspaceId: ws.workspaceId, atMs });
    const next = this.script.get(ws.workspaceId) ?? [];
    if (next instanceof Error) throw next;
    return { alerts: next, noData: false, failedQueries: [] };
  };
}

/** Validates every event like the real pipeline, keeps it; `refuse` makes `record` reject like a full spool. */
class RecordingAudit implements AuditLog {
  readonly events: AuditEvent[] = [];
  /** Rejects every record while > 0 (decremented per refused record; Infinity: until reset). */
  refusals = 0;
  /** Records this many more events, then refuses (a spool reaching its high-water mark mid-transaction). */
  acceptBeforeRefusing = Infinity;
  /** Called with each event before it is kept (inside the evaluation's transaction for opened/resolved). */
  onRecord?: (e: AuditEvent) => Promise<void>;
  async record(input: AuditEventInput): Promise<void> {
    const e = normalizeEvent(input);
    if (this.refusals > 0 || this.acceptBeforeRefusing <= 0) {
      if (this.refusals > 0) this.refusals--;
      throw new AuditUnavailableError('spool_full', 'audit spool full');
    }
    this.acceptBeforeRefusing--;
    await this.onRecord?.(e);
    this.events.push(e);
  }
  incident(action: string, incidentId?: string): AuditEvent[] {
    return this.events.filter(
      (e) => e.event_type === 'incident' && e.details.action === action && (!incidentId || e.details.incident_id === incidentId),
    );
  }
}

/** Records every start; `failures` makes the next starts throw; `gate` holds starts until opened. */
class FakeInvestigator implements Investigator {
  readonly calls: { workspaceId: string; incidentId: string; runId: string }[] = [];
  failures = 0;
  async start(workspaceId: string, incident: StoredIncident): Promise<{ runId: string }> {
    // A start takes a moment (it enqueues a run): racing evaluators overlap here.
    await new Promise((r) => setImmediate(r));
    if (this.failures > 0) {
      this.failures--;
      this.calls.push({ workspaceId, incidentId: incident.id, runId: '' });
      throw new Error('run queue unavailable');
    }
    const runId = `run-${this.calls.length + 1}-${incident.id.slice(0, 8)}`;
    this.calls.push({ workspaceId, incidentId: incident.id, runId });
    return { runId };
  }
  of(incidentId: string) {
    return this.calls.filter((c) => c.incidentId === incidentId);
  }
}

interface Rig {
  clock: Clock;
  observer: ScriptedObserver;
  audit: RecordingAudit;
  investigator: FakeInvestigator;
  book: IncidentBook;
  evaluator: WorkspaceEvaluator;
}

function rig(store: SqlMonitorStore, shared: Partial<Pick<Rig, 'clock' | 'observer' | 'investigator'>> = {}, withInvestigator = true): Rig {
  const clock = shared.clock ?? new Clock();
  const observer = shared.observer ?? new ScriptedObserver();
  const investigator = shared.investigator ?? new FakeInvestigator();
  const audit = new RecordingAudit();
  const book = new IncidentBook({
    store,
    audit,
    ...(withInvestigator ? { investigator } : {}),
    investigationRetryMs: RETRY_MS,
  });
  const evaluator = new WorkspaceEvaluator({ store, observe: observer.observe, incidents: book, forEvaluations: 2, now: clock.now });
  return { clock, observer, audit, investigator, book, evaluator };
}

const observed = (name: string, labels: Record<string, string>, extra: Partial<ObservedAlert> = {}): ObservedAlert => ({
  fingerprint: `fp:${name}:${JSON.stringify(labels)}`,
  source: 'aiops',
  name,
  severity: 'warning',
  summary: `${name} on ${labels.pod ?? labels.deployment ?? labels.namespace ?? 'the workspace'}`,
  labels,
  ...extra,
});

let wsSeq = 0;
const newWorkspace = (label: string) => `ws-${label}-${++wsSeq}-${Math.random().toString(36).slice(2, 8)}`;

const allAlerts = (store: SqlMonitorStore, ws: string) => store.listAlerts(ws, { states: ALL_STATES, limit: 1000 });
const allIncidents = (store: SqlMonitorStore, ws: string) => store.listIncidents(ws, { statuses: ALL_STATUSES, limit: 1000 });
const byFingerprint = (alerts: StoredAlert[], fp: string) => alerts.filter((a) => a.fingerprint === fp);
const unique = (xs: string[]) => new Set(xs).size === xs.length;

describe.each(backends)('the workspace evaluator on %s', (_name, open) => {
  let s: StoreRig;
  beforeAll(async () => {
    s = open();
    await s.store.ready();
    await s.replica.ready();
  });
  afterAll(async () => {
    await s?.store.close();
  });

  it('persists the lifecycle: pending, firing (onset kept), firing through one miss, resolved after two, a new episode after', async () => {
    const ws = newWorkspace('life');
    const r = rig(s.store);
    const onset = T0 - 7 * MINUTE;
    const mem = observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' }, { onsetMs: onset });
    // An onset later than the evaluation (a skewed source clock) does not move the start into the future.
    const skewed = observed('AIOpsLatency', { namespace: 'shop', service: 'api' }, { onsetMs: T0 + 10 * MINUTE });
    r.observer.see(ws, [mem, skewed]);

    const e1 = await r.evaluator.evaluate(ws);
    expect(e1.transitions).toEqual({ opened: 2, fired: 0, resolved: 0, dropped: 0 });
    let [a] = byFingerprint(await allAlerts(s.store, ws), mem.fingerprint);
    expect(a).toMatchObject({ state: 'pending', hits: 1, firedAtMs: null, resolvedAtMs: null, startedAtMs: onset, incidentId: null });
    expect(byFingerprint(await allAlerts(s.store, ws), skewed.fingerprint)[0]!.startedAtMs).toBe(T0);
    const firstId = a!.id;

    r.clock.tick();
    const e2 = await r.evaluator.evaluate(ws);
    expect(e2.transitions.fired).toBe(2);
    [a] = byFingerprint(await allAlerts(s.store, ws), mem.fingerprint);
    expect(a).toMatchObject({ id: firstId, state: 'firing', firedAtMs: T0 + MINUTE, startedAtMs: onset, resolvedAtMs: null });
    expect(a!.incidentId).not.toBeNull();

    r.observer.see(ws, []);
    r.clock.tick();
    const e3 = await r.evaluator.evaluate(ws);
    expect(e3.transitions).toEqual({ opened: 0, fired: 0, resolved: 0, dropped: 0 });
    [a] = byFingerprint(await allAlerts(s.store, ws), mem.fingerprint);
    expect(a).toMatchObject({ id: firstId, state: 'firing', misses: 1, resolvedAtMs: null, lastSeenAtMs: T0 + MINUTE });

    r.clock.tick();
    const e4 = await r.evaluator.evaluate(ws);
    expect(e4.transitions.resolved).toBe(2);
    [a] = byFingerprint(await allAlerts(s.store, ws), mem.fingerprint);
    expect(a).toMatchObject({ id: firstId, state: 'resolved', resolvedAtMs: T0 + 3 * MINUTE, firedAtMs: T0 + MINUTE, startedAtMs: onset });
    expect(await s.store.listAlerts(ws, { states: ['pending', 'firing'], limit: 10 })).toEqual([]);

    // Seen again: a new episode, a new row, pending with its own onset; the resolved one is history.
    const reOnset = T0 + 3 * MINUTE + 30_000;
    r.observer.see(ws, [{ ...mem, onsetMs: reOnset }]);
    r.clock.tick();
    const e5 = await r.evaluator.evaluate(ws);
    expect(e5.transitions.opened).toBe(1);
    const [again] = await s.store.listAlerts(ws, { states: ['pending'], limit: 10 });
    expect(again).toMatchObject({ fingerprint: mem.fingerprint, state: 'pending', hits: 1, startedAtMs: reOnset, incidentId: null });
    expect(again!.id).not.toBe(firstId);
    const resolved = await s.store.listAlerts(ws, { states: ['resolved'], limit: 10 });
    expect(byFingerprint(resolved, mem.fingerprint).map((x) => x.id)).toEqual([firstId]);
    expect(byFingerprint(await allAlerts(s.store, ws), mem.fingerprint)).toHaveLength(2);
  });

  it('keeps a flapping alert firing (seen, missed, seen) and drops a pending one missed once', async () => {
    const ws = newWorkspace('flap');
    const r = rig(s.store);
    const flap = observed('AIOpsErrorRate', { namespace: 'shop', deployment: 'api' });
    const blip = observed('AIOpsCpuSpike', { namespace: 'shop', deployment: 'cart' });
    r.observer.see(ws, [flap]);
    await r.evaluator.evaluate(ws);
    r.clock.tick();
    await r.evaluator.evaluate(ws); // flap fires
    for (const seen of [[blip], [flap], [], [flap]]) {
      r.observer.see(ws, seen);
      r.clock.tick();
      await r.evaluator.evaluate(ws);
    }
    const alerts = await allAlerts(s.store, ws);
    expect(byFingerprint(alerts, flap.fingerprint)).toHaveLength(1);
    expect(byFingerprint(alerts, flap.fingerprint)[0]).toMatchObject({ state: 'firing', misses: 0, firedAtMs: T0 + MINUTE });
    expect(byFingerprint(alerts, blip.fingerprint)).toEqual([]); // pending, then missed: dropped, never stored as history
    expect(r.audit.incident('opened')).toHaveLength(1);
    expect(r.audit.incident('resolved')).toHaveLength(0);
  });

  it('groups pods of one Deployment and Prometheus’s deployment alert into one incident, another namespace into another; severity rises', async () => {
    const ws = newWorkspace('group');
    const r = rig(s.store);
    const podX = observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' });
    const podK = observed('AIOpsRestarts', { namespace: 'shop', pod: 'api-7d9f8b6c5d-k9q7w' });
    const prom = observed(
      'KubeDeploymentReplicasMismatch',
      { namespace: 'shop', deployment: 'api' },
      { source: 'prometheus', sourceState: 'firing' },
    );
    const elsewhere = observed('AIOpsCpuSaturation', { namespace: 'batch', pod: 'etl-7d9f8b6c5d-b2c4d' });
    r.observer.see(ws, [podX, podK, prom, elsewhere]);

    const e1 = await r.evaluator.evaluate(ws);
    // Prometheus applies its own `for`: its alert fires at once and opens the incident alone.
    expect(e1.incidentsOpened.map((i) => i.resourceKey)).toEqual(['workload:shop/api']);
    r.clock.tick();
    const e2 = await r.evaluator.evaluate(ws);
    expect(e2.incidentsOpened.map((i) => i.resourceKey)).toEqual(['workload:batch/etl']);

    const incidents = await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 });
    expect(incidents).toHaveLength(2);
    const shop = incidents.find((i) => i.resource.namespace === 'shop')!;
    const batch = incidents.find((i) => i.resource.namespace === 'batch')!;
    expect(shop.resource).toEqual({ namespace: 'shop', workload: 'api' });
    expect(batch.resource).toEqual({ namespace: 'batch', workload: 'etl' });
    expect(shop).toMatchObject({ status: 'open', severity: 'warning', openedAtMs: T0, resolvedAtMs: null });
    const members = await s.store.alertsOfIncident(ws, shop.id);
    expect(members.map((a) => a.fingerprint).sort()).toEqual([podX, podK, prom].map((a) => a.fingerprint).sort());
    expect((await s.store.alertsOfIncident(ws, batch.id)).map((a) => a.fingerprint)).toEqual([elsewhere.fingerprint]);

    // A critical alert about the same Deployment: pending first (the incident stays warning), then it fires and joins.
    const oom = observed('AIOpsOomKilled', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' }, { severity: 'critical' });
    r.observer.see(ws, [podX, podK, prom, elsewhere, oom]);
    r.clock.tick();
    await r.evaluator.evaluate(ws);
    expect((await s.store.getIncident(ws, shop.id))!.severity).toBe('warning');
    r.clock.tick();
    const e4 = await r.evaluator.evaluate(ws);
    expect(e4.incidentsOpened).toEqual([]);
    expect((await s.store.getIncident(ws, shop.id))!.severity).toBe('critical');
    expect((await s.store.getIncident(ws, batch.id))!.severity).toBe('warning');
    expect(await s.store.alertsOfIncident(ws, shop.id)).toHaveLength(4);
    expect(await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 })).toHaveLength(2);
  });

  it('resolves the incident in the evaluation its last alert resolves, not before; opened and resolved audited once each', async () => {
    const ws = newWorkspace('resolve');
    const r = rig(s.store);
    const a1 = observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' });
    const a2 = observed('AIOpsRestarts', { namespace: 'shop', pod: 'api-7d9f8b6c5d-k9q7w' });
    const results: EvaluationResult[] = [];
    const step = async (seen: ObservedAlert[]) => {
      r.observer.see(ws, seen);
      results.push(await r.evaluator.evaluate(ws));
      r.clock.tick();
    };
    await step([a1, a2]);
    await step([a1, a2]); // both fire: one incident
    const [incident] = await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 });
    expect(incident).toBeDefined();
    await step([a2]); // a1 missed once
    await step([a2]); // a1 resolved; a2 still firing: the incident stays open
    expect(results[3]!.transitions.resolved).toBe(1);
    expect(results[3]!.incidentsResolved).toEqual([]);
    expect(await s.store.getIncident(ws, incident!.id)).toMatchObject({ status: 'open', resolvedAtMs: null });
    await step([]); // a2 missed once
    expect(await s.store.getIncident(ws, incident!.id)).toMatchObject({ status: 'open', resolvedAtMs: null });
    const resolvingAt = r.clock.ms;
    await step([]); // a2 resolved: so is the incident
    expect(results[5]!.incidentsResolved.map((i) => i.id)).toEqual([incident!.id]);
    expect(await s.store.getIncident(ws, incident!.id)).toMatchObject({ status: 'resolved', resolvedAtMs: resolvingAt });
    expect(await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 })).toEqual([]);
    await step([]);
    await step([]); // re-evaluating changes and records nothing more
    expect(results.slice(6).every((x) => x.incidentsResolved.length === 0 && x.incidentsOpened.length === 0)).toBe(true);

    const opened = r.audit.incident('opened', incident!.id);
    const resolved = r.audit.incident('resolved', incident!.id);
    expect(opened).toHaveLength(1);
    expect(resolved).toHaveLength(1);
    for (const e of [...opened, ...resolved]) {
      expect(e).toMatchObject({
        event_type: 'incident',
        initiated_by: 'system',
        user_id: 'AIOpsAgent',
        workspace_id: ws,
        resource_id: `incident/${incident!.id}`,
      });
    }
    expect(opened[0]).toMatchObject({
      outcome: 'opened',
      timestamp: T0 + MINUTE,
      details: { alerts: 2, resource_key: 'workload:shop/api' },
    });
    expect(resolved[0]).toMatchObject({ outcome: 'resolved', timestamp: resolvingAt });
    for (const action of ['opened', 'resolved', 'investigation_started'])
      expect(unique(r.audit.incident(action).map((e) => e.event_id))).toBe(true);
    expect(opened[0]!.event_id).not.toBe(resolved[0]!.event_id);
  });

  it('two replicas evaluating one workspace at once start exactly one investigation per incident', async () => {
    const ws = newWorkspace('replicas');
    const clock = new Clock();
    const observer = new ScriptedObserver();
    const investigator = new FakeInvestigator();
    const one = rig(s.store, { clock, observer, investigator });
    const two = rig(s.replica, { clock, observer, investigator });
    observer.see(ws, [
      observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' }),
      observed('KubePodCrashLooping', { namespace: 'web', pod: 'front-0' }, { source: 'prometheus', sourceState: 'firing' }),
    ]);
    const results: EvaluationResult[] = [];
    for (let round = 0; round < 4; round++) {
      results.push(...(await Promise.all([one.evaluator.evaluate(ws), two.evaluator.evaluate(ws)])));
      clock.tick();
    }
    // Past the retry bound too: a started investigation is never started again.
    clock.tick(RETRY_MS + MINUTE);
    results.push(...(await Promise.all([one.evaluator.evaluate(ws), two.evaluator.evaluate(ws)])));

    const incidents = await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 });
    expect(incidents.map((i) => i.resourceKey).sort()).toEqual(['workload:shop/api', 'workload:web/front']);
    expect(investigator.calls).toHaveLength(2);
    for (const incident of incidents) {
      const calls = investigator.of(incident.id);
      expect(calls).toHaveLength(1);
      expect(incident.runId).toBe(calls[0]!.runId);
      expect(incident.investigationError).toBeNull();
      expect((await s.replica.incidentOfRun(ws, calls[0]!.runId))?.id).toBe(incident.id);
    }
    expect(results.reduce((n, x) => n + x.investigationsStarted, 0)).toBe(2);
    expect(results.reduce((n, x) => n + x.investigationsFailed, 0)).toBe(0);
    const started = [...one.audit.incident('investigation_started'), ...two.audit.incident('investigation_started')];
    expect(started).toHaveLength(2);
    expect(unique(started.map((e) => e.event_id))).toBe(true);
    for (const e of started) {
      expect(e).toMatchObject({ initiated_by: 'AIOpsAgent', user_id: 'AIOpsAgent', workspace_id: ws });
      expect(incidents.find((i) => i.id === e.details.incident_id)!.runId).toBe(e.details.run_id);
    }
    // Each incident opened once, whichever replica opened it.
    expect([...one.audit.incident('opened'), ...two.audit.incident('opened')]).toHaveLength(2);
  });

  it('an investigation that fails to start is counted, its error kept, and started again once the retry bound has passed', async () => {
    const ws = newWorkspace('retry');
    const r = rig(s.store);
    r.investigator.failures = 1;
    r.observer.see(ws, [
      observed('KubePodCrashLooping', { namespace: 'web', pod: 'front-0' }, { source: 'prometheus', sourceState: 'firing' }),
    ]);
    const claimedAt = r.clock.ms;
    const failed = await r.evaluator.evaluate(ws);
    expect(failed).toMatchObject({ investigationsStarted: 0, investigationsFailed: 1 });
    const [incident] = await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 });
    expect(await s.store.getIncident(ws, incident!.id)).toMatchObject({
      runId: null,
      investigationClaimedAtMs: claimedAt,
      investigationError: expect.stringContaining('run queue unavailable') as unknown,
    });
    expect(r.investigator.calls).toHaveLength(1);

    // Within the bound: the claim holds, nobody starts it again.
    r.clock.ms = claimedAt + RETRY_MS;
    expect(await r.evaluator.evaluate(ws)).toMatchObject({ investigationsStarted: 0, investigationsFailed: 0 });
    expect(r.investigator.calls).toHaveLength(1);

    r.clock.ms = claimedAt + RETRY_MS + 1;
    expect(await r.evaluator.evaluate(ws)).toMatchObject({ investigationsStarted: 1, investigationsFailed: 0 });
    expect(r.investigator.calls).toHaveLength(2);
    const run = r.investigator.calls[1]!.runId;
    expect(await s.store.getIncident(ws, incident!.id)).toMatchObject({ runId: run, investigationError: null });
    expect(r.audit.incident('investigation_started')).toMatchObject([{ initiated_by: 'AIOpsAgent', details: { run_id: run } }]);

    r.clock.tick(RETRY_MS * 2);
    await r.evaluator.evaluate(ws);
    expect(r.investigator.calls).toHaveLength(2);
  });

  it('keeps a replica’s investigation when another transaction changes the incident meanwhile (one run per incident)', async () => {
    // Replica one's afterCommit claims and starts the investigation of an open incident while replica two's
    // evaluation (or Alertmanager's webhook) is inside its transaction, raising that incident's severity.
    const ws = newWorkspace('claim-race');
    const clock = new Clock();
    const observer = new ScriptedObserver();
    const investigator = new FakeInvestigator();
    const apiWarn = observed(
      'KubeDeploymentReplicasMismatch',
      { namespace: 'shop', deployment: 'api' },
      { source: 'prometheus', sourceState: 'firing' },
    );
    // The incident exists, open, not yet claimed (an evaluation without an investigator opened it).
    const opener = rig(s.store, { clock, observer }, false);
    observer.see(ws, [apiWarn]);
    await opener.evaluator.evaluate(ws);
    const [incident] = await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 });
    expect(incident!.investigationClaimedAtMs).toBeNull();

    const one = rig(s.store, { clock, observer, investigator });
    let oneDone: Promise<void> | undefined;
    // Replica two's store, whose evaluation starts one's afterCommit inside its transaction, right after
    // it read the open incidents and before it writes the one it changed. One claims and starts the
    // investigation meanwhile; it records the run under the workspace's lock, so after two commits.
    const twoStore = Object.create(s.replica) as SqlMonitorStore;
    twoStore.inWorkspace = (w, fn) =>
      s.replica.inWorkspace(w, (tx) =>
        fn({
          ...tx,
          openIncidents: async (id) => {
            const open = await tx.openIncidents(id);
            if (!oneDone) {
              oneDone = one.book.afterCommit(ws, clock.now(), noIncidentChanges());
              if (s.overlapsTransactions) await new Promise((r) => setTimeout(r, 200)); // one claims and starts meanwhile
            }
            return open;
          },
        }),
      );
    const two = rig(twoStore, { clock, observer, investigator });
    clock.tick();
    observer.see(ws, [
      apiWarn,
      observed(
        'KubePodOOMKilled',
        { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' },
        { source: 'prometheus', sourceState: 'firing', severity: 'critical' },
      ),
      observed('KubePodCrashLooping', { namespace: 'web', pod: 'front-0' }, { source: 'prometheus', sourceState: 'firing' }),
    ]);
    const raced = await two.evaluator.evaluate(ws);
    expect(oneDone).toBeDefined(); // the interleaving happened
    await oneDone;
    expect(raced.incidentsOpened.map((i) => i.resourceKey)).toEqual(['workload:web/front']);
    const check = async () => {
      const after = (await s.store.getIncident(ws, incident!.id))!;
      expect(after.severity).toBe('critical');
      expect(investigator.of(incident!.id).map((c) => c.runId)).toHaveLength(1);
      expect(after).toMatchObject({ runId: investigator.of(incident!.id)[0]!.runId, investigationError: null });
    };
    await check();
    // And later, past the retry bound, by either replica.
    clock.tick(RETRY_MS + MINUTE);
    await one.evaluator.evaluate(ws);
    await two.evaluator.evaluate(ws);
    await check();
  });

  it('an observation that fails (metrics source down) changes no alert or incident, and evaluate() rejects', async () => {
    const ws = newWorkspace('observe-down');
    const r = rig(s.store);
    const firing = observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' });
    const pending = observed('AIOpsRestarts', { namespace: 'web', pod: 'front-0' });
    r.observer.see(ws, [firing]);
    await r.evaluator.evaluate(ws);
    r.clock.tick();
    r.observer.see(ws, [firing, pending]);
    await r.evaluator.evaluate(ws); // firing fires (an open incident with its run), pending is pending
    r.clock.tick();
    r.observer.see(ws, [pending]);
    await r.evaluator.evaluate(ws); // firing missed once; pending fires
    const snapshot = async () => ({
      alerts: await allAlerts(s.store, ws),
      incidents: await allIncidents(s.store, ws),
    });
    const before = await snapshot();
    expect(before.alerts.map((a) => [a.name, a.state, a.misses]).sort()).toEqual([
      ['AIOpsMemoryGrowth', 'firing', 1],
      ['AIOpsRestarts', 'firing', 0],
    ]);
    const events = r.audit.events.length;
    const starts = r.investigator.calls.length;

    r.observer.see(ws, new Error('prometheus unreachable: connect ECONNREFUSED'));
    for (let i = 0; i < 3; i++) {
      r.clock.tick();
      await expect(r.evaluator.evaluate(ws)).rejects.toThrow('prometheus unreachable');
    }
    expect(await snapshot()).toEqual(before);
    expect(r.audit.events).toHaveLength(events);
    expect(r.investigator.calls).toHaveLength(starts);

    // The outage did not count as misses: the first alert needs one more miss to resolve, not zero.
    r.observer.see(ws, [pending]);
    r.clock.tick();
    await r.evaluator.evaluate(ws);
    const [mem] = byFingerprint(await allAlerts(s.store, ws), firing.fingerprint);
    expect(mem).toMatchObject({ state: 'resolved', misses: 2, resolvedAtMs: r.clock.ms });
  });

  it('never mixes workspaces, even with the same fingerprints', async () => {
    const ws1 = newWorkspace('iso-1');
    const ws2 = newWorkspace('iso-2');
    const r = rig(s.store);
    const same = [
      observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' }),
      observed('KubePodCrashLooping', { namespace: 'web', pod: 'front-0' }, { source: 'prometheus', sourceState: 'firing' }),
    ];
    r.observer.see(ws1, same);
    await r.evaluator.evaluate(ws1);
    r.clock.tick();
    await r.evaluator.evaluate(ws1);
    await r.evaluator.evaluate(ws2); // observes nothing
    const inc1 = await s.store.listIncidents(ws1, { statuses: ['open'], limit: 10 });
    expect(inc1).toHaveLength(2);
    expect(await allAlerts(s.store, ws2)).toEqual([]);
    expect(await allIncidents(s.store, ws2)).toEqual([]);
    for (const i of inc1) {
      expect(await s.store.getIncident(ws2, i.id)).toBeUndefined();
      expect(await s.store.alertsOfIncident(ws2, i.id)).toEqual([]);
      expect(await s.store.incidentOfRun(ws2, i.runId!)).toBeUndefined();
      expect(await s.store.claimInvestigation(ws2, i.id, r.clock.ms + RETRY_MS * 10, r.clock.ms + RETRY_MS * 10)).toBe(false);
      await s.store.recordInvestigation(ws2, i.id, { error: 'from another workspace' });
    }
    expect(await s.store.listIncidents(ws1, { statuses: ['open'], limit: 10 })).toEqual(inc1);

    // The same fingerprints in ws-2: its own episodes from the start (pending, not ws-1's firing state).
    r.observer.see(ws2, same);
    r.clock.tick();
    await r.evaluator.evaluate(ws2);
    const a2 = await allAlerts(s.store, ws2);
    const a1 = await allAlerts(s.store, ws1);
    expect(a2.map((a) => a.fingerprint).sort()).toEqual(a1.map((a) => a.fingerprint).sort());
    expect(a2.find((a) => a.source === 'aiops')!.state).toBe('pending');
    expect(a2.every((a) => a.workspaceId === ws2 && !a1.some((b) => b.id === a.id))).toBe(true);
    r.clock.tick();
    await r.evaluator.evaluate(ws2);
    const inc2 = await s.store.listIncidents(ws2, { statuses: ['open'], limit: 10 });
    expect(inc2.map((i) => i.resourceKey).sort()).toEqual(inc1.map((i) => i.resourceKey).sort());
    expect(inc2.some((i) => inc1.some((j) => j.id === i.id))).toBe(false);
    for (const a of await allAlerts(s.store, ws2)) expect(inc2.map((i) => i.id)).toContain(a.incidentId);

    // ws-1 resolves; ws-2 is untouched.
    r.observer.see(ws1, []);
    for (let i = 0; i < 2; i++) {
      r.clock.tick();
      await r.evaluator.evaluate(ws1);
    }
    expect(await s.store.listIncidents(ws1, { statuses: ['open'], limit: 10 })).toEqual([]);
    expect(await s.store.listIncidents(ws2, { statuses: ['open'], limit: 10 })).toEqual(inc2);
    expect(await s.store.listAlerts(ws2, { states: ['firing'], limit: 10 })).toHaveLength(2);
    expect(r.audit.events.every((e) => e.workspace_id === ws1 || e.workspace_id === ws2)).toBe(true);
    for (const e of r.audit.events) {
      const mine = e.workspace_id === ws1 ? inc1 : inc2;
      expect(mine.map((i) => i.id)).toContain(e.details.incident_id);
    }
  });

  it('an audit log that refuses (spool full) stores the change; its events wait in the outbox and are shipped once', async () => {
    const ws = newWorkspace('audit-full');
    const r = rig(s.store);
    const mem = observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' });
    r.observer.see(ws, [mem]);
    await r.evaluator.evaluate(ws); // pending: nothing to audit yet

    r.audit.refusals = Infinity;
    r.clock.tick();
    const firing = await r.evaluator.evaluate(ws);
    expect(firing.incidentsOpened).toHaveLength(1);
    const [incident] = await s.store.listIncidents(ws, { statuses: ['open'], limit: 10 });
    expect(r.audit.events).toEqual([]);
    // The investigation started; its audit event waits too (a started run is not counted as failed).
    expect(r.investigator.of(incident!.id)).toHaveLength(1);
    expect(firing.investigationsFailed).toBe(0);
    r.clock.tick();
    await r.evaluator.evaluate(ws);
    expect(r.audit.events).toEqual([]);

    r.audit.refusals = 0;
    r.clock.tick();
    await r.evaluator.evaluate(ws);
    r.clock.tick();
    await r.evaluator.evaluate(ws);
    expect(r.audit.incident('opened')).toMatchObject([{ details: { incident_id: incident!.id } }]);
    expect(r.audit.incident('investigation_started')).toMatchObject([{ details: { incident_id: incident!.id } }]);
    expect(r.investigator.of(incident!.id)).toHaveLength(1);
  });

  it('a rolled-back evaluation leaves no event for the incident it would have opened', async () => {
    const ws = newWorkspace('rollback');
    // The same store, but the next evaluation's transaction fails after all its work (as a lost connection at commit would).
    let failNext = false;
    const failing = Object.create(s.store) as SqlMonitorStore;
    failing.inWorkspace = (w, fn) =>
      s.store.inWorkspace(w, async (tx) => {
        const out = await fn(tx);
        if (failNext) {
          failNext = false;
          throw new Error('commit failed');
        }
        return out;
      });
    const r = rig(failing);
    r.observer.see(ws, [observed('AIOpsMemoryGrowth', { namespace: 'shop', pod: 'api-7d9f8b6c5d-x2x4z' })]);
    await r.evaluator.evaluate(ws); // pending
    failNext = true;
    r.clock.tick();
    await expect(r.evaluator.evaluate(ws)).rejects.toThrow('commit failed');
    expect(await allIncidents(s.store, ws)).toEqual([]);
    expect(r.audit.events.filter((e) => e.event_type === 'incident')).toEqual([]);

    r.clock.tick();
    await r.evaluator.evaluate(ws);
    const incidents = await allIncidents(s.store, ws);
    expect(incidents).toHaveLength(1);
    expect(r.audit.incident('opened')).toHaveLength(1);
    expect(r.audit.incident('opened')[0]!.details.incident_id).toBe(incidents[0]!.id);
  });
});
