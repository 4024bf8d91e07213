/**
 * `npm run eval:alerts [-- --seeds 4 --first-seed 1 --hours 24 --interval 60 --for 2]`: false alerts per workspace-day.
 *
 * What a pager would see from the monitor on workspaces where nothing is wrong: healthy scenario
 * workspaces (one per seed: different pods, noise and daily phase) on the embedded metrics source, each
 * evaluated by the real monitor path (metricsObserver → WorkspaceEvaluator → alert lifecycle → incidents,
 * SQLite store) every `--interval` seconds over `--hours` of simulated time, with the production
 * `MONITOR_FOR_EVALUATIONS` (`--for`, default 2). Every alert that reached `firing` there is a false page;
 * so is every incident opened. Printed per seed, with what fired, and in total per workspace-day.
 *
 * The scripted incidents' detection is held by the root-cause tests (test/integration/root-causes.test.ts)
 * and the monitor's replica test (an incident for the leak with no request at all); this measures the other
 * side: what healthy workspaces cost in pages.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { AuditLog } from '../src/audit/event.js';
import { inlineFindingsEngine } from '../src/analysis/workers/findings-engine.js';
import { EmbeddedMetricsSource } from '../src/metrics/embedded/embedded-source.js';
import { scenarioWorkspace } from '../src/metrics/scenarios/presets.js';
import { WorkspaceEvaluator } from '../src/monitoring/evaluate-workspace.js';
import { IncidentBook } from '../src/monitoring/incident-book.js';
import { SqlMonitorStore } from '../src/monitoring/monitor-store.js';
import { metricsObserver } from '../src/monitoring/observe.js';
import { sqliteDriver } from '../src/storage/sql-drivers.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  const n = i < 0 ? fallback : Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`eval:alerts: --${name} needs a positive integer\n`);
    process.exit(2);
  }
  return n;
};
const SEEDS = flag('seeds', 4);
/** The first seed (`--first-seed 3 --seeds 1` replays workspace 3 alone). */
const FIRST_SEED = flag('first-seed', 1);
const HOURS = flag('hours', 24);
const INTERVAL_MS = flag('interval', 60) * 1000;
const FOR = flag('for', 2);
/** A fixed Monday 00:00 UTC start: every run evaluates the same simulated day. */
const START_MS = Date.UTC(2026, 10, 2);

const noAudit: AuditLog = { record: async () => undefined };

async function main(): Promise<void> {
  const workspaces = Array.from({ length: SEEDS }, (_, k) => scenarioWorkspace(`ws-healthy-${FIRST_SEED + k}`, [], FIRST_SEED + k));
  let now = START_MS;
  const metrics = new EmbeddedMetricsSource({ workspaces, tenantLabel: 'workspace_id', now: () => now });
  const store = new SqlMonitorStore(sqliteDriver(new BetterSqlite3(':memory:')));
  const incidents = new IncidentBook({ store, audit: noAudit, investigationRetryMs: 5 * 60_000 });
  const evaluator = new WorkspaceEvaluator({
    store,
    observe: metricsObserver(metrics, inlineFindingsEngine),
    incidents,
    forEvaluations: FOR,
    now: () => now,
  });
  const ticks = Math.floor((HOURS * 3_600_000) / INTERVAL_MS);
  const opened = new Map<string, number>();
  const started = Date.now();
  for (let tick = 0; tick < ticks; tick++) {
    now = START_MS + tick * INTERVAL_MS;
    for (const ws of workspaces) {
      const result = await evaluator.evaluate(ws.workspaceId);
      opened.set(ws.workspaceId, (opened.get(ws.workspaceId) ?? 0) + result.incidentsOpened.length);
    }
    if (tick % 60 === 59) process.stderr.write(`\r${tick + 1}/${ticks} ticks (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  process.stderr.write('\n');

  const days = (ticks * INTERVAL_MS) / 86_400_000;
  console.log(
    `\n${SEEDS} healthy workspaces × ${HOURS} h from ${new Date(START_MS).toISOString()}, evaluated every ${INTERVAL_MS / 1000} s, ` +
      `MONITOR_FOR_EVALUATIONS=${FOR} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
  );
  console.log('| workspace | alerts fired | incidents opened | pending that never fired | what fired |');
  console.log('|---|---:|---:|---:|---|');
  let fired = 0;
  let incidentsOpened = 0;
  for (const ws of workspaces) {
    const all = await store.listAlerts(ws.workspaceId, { states: ['pending', 'firing', 'resolved'], limit: 10_000 });
    const wasFiring = all.filter((a) => a.firedAtMs !== null);
    const neverFired = all.length - wasFiring.length;
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const what = wasFiring
      .slice(0, 4)
      .map(
        (a) => `${a.name} ${hhmm(a.startedAtMs)}–${a.resolvedAtMs === null ? 'open' : hhmm(a.resolvedAtMs)} UTC: ${a.summary.slice(0, 80)}`,
      )
      .join('; ');
    fired += wasFiring.length;
    incidentsOpened += opened.get(ws.workspaceId) ?? 0;
    console.log(`| ${ws.workspaceId} | ${wasFiring.length} | ${opened.get(ws.workspaceId) ?? 0} | ${neverFired} | ${what || '—'} |`);
  }
  const workspaceDays = SEEDS * days;
  console.log(
    `\nfalse alerts per workspace-day: ${(fired / workspaceDays).toFixed(2)} (${fired} over ${workspaceDays.toFixed(1)} workspace-days); ` +
      `false incidents per workspace-day: ${(incidentsOpened / workspaceDays).toFixed(2)}`,
  );
}

await main();
