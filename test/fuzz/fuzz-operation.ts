/**
 * Fuzzes one operation: a fast-check property over generated cases (cases.ts), each sent to the
 * target and its answer checked (invariants.ts). On a failure the report holds fast-check's shrunk
 * counterexample, the request as sent, the server's log lines for it, and how to replay it.
 */
import path from 'node:path';
import fc from 'fast-check';
import { caseArbitrary } from './cases.js';
import type { FuzzTarget } from './fuzz-target.js';
import { checkAnswer, type Variant, type Violation } from './invariants.js';
import type { Operation } from './operations.js';
import { rssMb } from './resources.js';
import { describeRequest, materialize, send, type SentRequest } from './send.js';

export interface OperationReport {
  id: string;
  cases: number;
  ms: number;
  /** Answers by status class (`2xx`, `4xx`, …) and by exact 5xx status. */
  statuses: Record<string, number>;
  slowestMs: number;
  /** Resident memory after the operation (MB). */
  rssMb: number;
  failure?: string;
}

export interface FuzzOptions {
  variant: Variant;
  seed: number;
  numRuns: number;
  timeLimitMs: number;
  path?: string;
  verbose: boolean;
}

const SOURCE_ROOT = path.resolve(import.meta.dirname, '../..');

/** Each operation gets its own seed from the run's (FNV-1a of its id), so operations do not see the same sequence of choices. */
export function operationSeed(runSeed: number, opId: string): number {
  let h = 0x811c9dc5;
  for (const ch of opId) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return ((runSeed ^ h) >>> 0) & 0x7fffffff;
}

export async function fuzzOperation(target: FuzzTarget, op: Operation, o: FuzzOptions): Promise<OperationReport> {
  const report: OperationReport = { id: op.id, cases: 0, ms: 0, statuses: {}, slowestMs: 0, rssMb: 0 };
  const bump = (m: Record<string, number>, k: string) => {
    m[k] = (m[k] ?? 0) + 1;
  };
  const started = Date.now();

  const property = fc.asyncProperty(caseArbitrary(op, { fixtureIds: target.fixtureIds }), async (c) => {
    const sent = await materialize(target, op, c);
    report.cases++;
    let res;
    try {
      res = await send(target, sent);
    } catch (err) {
      throw new Error(`no_answer: ${(err as Error).message}\n  request: ${describeRequest(sent)}`);
    }
    report.slowestMs = Math.max(report.slowestMs, Math.round(res.ms));
    if (res.status === 0) {
      bump(report.statuses, 'reset (head over the size limit)');
      return;
    }
    bump(report.statuses, res.status >= 500 ? String(res.status) : `${Math.floor(res.status / 100)}xx`);
    if (o.verbose)
      console.info(
        `[fuzz] ${res.status} ${Math.round(res.ms)} ms ${sent.method} ${sent.url.slice(0, 160)} ${res.body.toString('utf8').slice(0, 160)}`,
      );
    const violations =
      sent.method === 'HEAD' && res.status >= 500
        ? await headTwin(target, sent, res.status, o.variant)
        : checkAnswer(sent, res, o.variant, SOURCE_ROOT);
    if (violations.length === 0) return;
    const requestId = String(res.headers['x-request-id'] ?? '');
    const log = requestId ? target.logFor(requestId) : [];
    throw new Error(
      [
        ...violations.map((v) => `${v.kind}: ${v.message}`),
        `  request: ${describeRequest(sent)}`,
        ...(log.length > 0 ? [`  server log: ${log.join('\n  ')}`] : []),
      ].join('\n'),
    );
  });

  const details = await fc.check(property, {
    seed: operationSeed(o.seed, op.id),
    numRuns: o.numRuns,
    ...(o.path ? { path: o.path } : {}),
    includeErrorInReport: true,
    plugins: [fc.interruptAfterTimeLimit(o.timeLimitMs)],
  });
  report.ms = Date.now() - started;
  report.rssMb = rssMb();
  if (details.failed && details.counterexample) {
    const message = fc.defaultReportMessage(details) ?? 'failed';
    report.failure =
      `${op.id}: ${message}\n\nReplay just this counterexample (the seed above is derived from FUZZ_SEED and the operation):\n` +
      `  FUZZ_SEED=${o.seed} FUZZ_OPERATION='${op.id}' ` +
      `FUZZ_PATH='${details.counterexamplePath}' npx vitest run test/fuzz/hostile-input.test.ts`;
  } else if (details.failed && !details.interrupted) {
    report.failure = `${op.id}: ${fc.defaultReportMessage(details) ?? 'failed'}`;
  }
  return report;
}

/**
 * A HEAD answer has no body to name the reason of a 5xx: the same request as GET must answer the
 * same status, and that answer is what is checked.
 */
async function headTwin(target: FuzzTarget, head: SentRequest, status: number, variant: Variant): Promise<Violation[]> {
  const get = { ...head, method: 'GET' };
  const twin = await send(target, get);
  const out = checkAnswer(get, twin, variant, SOURCE_ROOT);
  if (twin.status !== status) out.push({ kind: 'server_error', message: `HEAD answered ${status} where GET answers ${twin.status}` });
  return out;
}

/** A compact table of the reports, printed at the end of a pass. */
export function summarise(title: string, reports: readonly OperationReport[]): string {
  const total = reports.reduce((n, r) => n + r.cases, 0);
  const rows = reports.map((r) => {
    const statuses = Object.entries(r.statuses)
      .sort()
      .map(([k, n]) => `${k}:${n}`)
      .join(' ');
    const time = `${String(Math.round(r.ms / 100) / 10).padStart(5)} s`;
    return `  ${r.id.padEnd(72)} ${String(r.cases).padStart(5)} cases ${time}  slowest ${r.slowestMs} ms  RSS ${r.rssMb} MB  ${statuses}${r.failure ? '  FAILED' : ''}`;
  });
  return [`[fuzz] ${title}: ${total} cases over ${reports.length} operations`, ...rows].join('\n');
}
