/**
 * The fault matrix (`npm run chaos`): two real server processes sharing a private PostgreSQL, Redis,
 * ClickHouse and Prometheus, under load, through each fault in turn (see faults.ts). Per fault it
 * counts 5xx by status and reason, process deaths, authorization rows lost or duplicated, executions
 * per remediation, runs left running and the recovery time, prints a table, writes
 * reports/chaos.json, and fails when a property is broken.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvironment, type ChaosEnvironment } from './environment.js';
import { FAULTS } from './faults.js';
import { runPhase, violations } from './phase.js';
import { newReport, renderTable, writeReport } from './report.js';

/** CHAOS_FAULTS=name,name runs only those (e.g. to reproduce one). */
const only = process.env.CHAOS_FAULTS?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const faults = only ? FAULTS.filter((f) => only.includes(f.name)) : FAULTS;

let env: ChaosEnvironment;
const report = newReport();
const started = Date.now();

beforeAll(async () => {
  env = await startEnvironment();
}, 180_000);

afterAll(async () => {
  report.finishedAt = new Date().toISOString();
  report.durationMs = Date.now() - started;
  if (report.phases.length > 0) {
    const file = writeReport(report);
    process.stdout.write(`\n${renderTable(report)}\n(written to ${file})\n`);
  }
  await env?.close();
}, 120_000);

describe.sequential('fault matrix: two replicas under load', () => {
  for (const fault of faults) {
    it(
      fault.title,
      async () => {
        const result = await runPhase(env, fault);
        const broken = violations(result, fault);
        report.phases.push({ ...result, violations: broken });
        expect(broken).toEqual([]);
      },
      240_000,
    );
  }
});
