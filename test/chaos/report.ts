/** The fault matrix's figures: a table for the terminal and `reports/chaos.json` for CI and the README. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/process.js';
import { RECOVERY_TARGET_MS, type PhaseResult } from './phase.js';

export interface MatrixReport {
  finishedAt: string;
  durationMs: number;
  recoveryTargetMs: number;
  phases: (PhaseResult & { violations: string[] })[];
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const fmtMs = (ms: number | undefined) => (ms === undefined ? '-' : Number.isFinite(ms) ? String(ms) : 'never');

export function renderTable(report: MatrixReport): string {
  const header = [
    'fault',
    'requests',
    '5xx (503)',
    'bad 5xx',
    'lost',
    'dup',
    'executed',
    'exec wrong',
    'in doubt',
    'runs',
    'failed',
    'orphaned',
    'deaths',
    'recovery ms',
    'restart ms',
    'ok',
  ];
  const rows = report.phases.map((p) => [
    p.fault,
    String(p.requests),
    String(sum(p.errors5xx)),
    String(p.bad5xx),
    `${p.audit.lost}/${p.audit.expected}`,
    String(p.audit.duplicated),
    `${p.executions.completed}/${p.executions.remediations}`,
    String(p.executions.wrongExecutions + p.executions.approvedNeverExecuted),
    String(p.executions.inDoubt),
    String(p.runs.runs),
    `${p.runs.byStatus.failed ?? 0}${p.runs.interrupted ? ` (${p.runs.interrupted} int.)` : ''}`,
    String(p.runs.orphaned),
    String(p.deaths.length),
    p.recoveryMs ? Object.values(p.recoveryMs).map(fmtMs).join('/') : '-',
    fmtMs(p.restartMs),
    p.violations.length === 0 ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const p of report.phases) {
    const reasons = Object.entries(p.errors5xx)
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ');
    if (reasons) lines.push(`  ${p.fault}: ${reasons}`);
    if (p.approvalsRetried > 0)
      lines.push(`  ${p.fault}: ${p.approvalsRetried} approval(s) answered 503 during the fault, retried after it (executed once)`);
    for (const f of p.runs.failures) lines.push(`  ${p.fault}: run failed: ${f}`);
    for (const v of p.violations) lines.push(`  ${p.fault}: VIOLATION ${v}`);
  }
  lines.push(
    'executed: remediations completed / proposed (once each); in doubt: left `running` by an execution cut short (at most one call)',
  );
  lines.push(
    `recovery: ms from the dependency's return to the first success of a route needing it, per replica (target ≤ ${report.recoveryTargetMs}); total ${Math.round(report.durationMs / 1000)} s`,
  );
  return lines.join('\n');
}

export function writeReport(report: MatrixReport, file = path.join(ROOT, 'reports', 'chaos.json')): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, (_k, v: unknown) => (v === Number.POSITIVE_INFINITY ? null : v), 2)}\n`);
  return file;
}

export function newReport(): MatrixReport {
  return { finishedAt: '', durationMs: 0, recoveryTargetMs: RECOVERY_TARGET_MS, phases: [] };
}
