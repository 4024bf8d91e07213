/**
 * npm run eval:exhaustion -- [--data <dir>] [--model robust-trend|holt-winters|naive|auto] [--origins N]
 *   [--horizon-hours H] [--history-days D]
 * Honesty of time-to-exhaustion ranges on the NAB dev series (evals/exhaustion/backtest.ts): how often the
 * true first crossing of a limit lies inside the answered range, split by whether the series really got
 * there within the horizon, by limit distance and by category; plus how often the answer commits (a finite
 * latest ETA) when the limit was reached, so "never sure" cannot pass for honest.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exhaustionOptionsSchema } from '../../src/analytics/forecast/time-to-exhaustion.js';
import { parseSeriesCsv } from '../../src/analytics/series-csv.js';
import { listNabFiles } from '../nab/data.js';
import { exhaustionBacktest, type ExhaustionCase } from './backtest.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface CoverageSummary {
  cases: number;
  covered: number;
  /** Cases whose limit was reached within the horizon, and how many of those the range covered. */
  reached: number;
  reachedCovered: number;
  /** Reached cases where the answer gave a finite latest ETA (it committed to "by then"). */
  reachedCommitted: number;
  notReached: number;
  notReachedCovered: number;
  /** The point ETA is within the horizon exactly when the truth is. */
  statusRight: number;
  /** Sum of (stated chance − outcome)²: divided by cases, the Brier score of `probability` (0 is perfect). */
  brier: number;
}

export function summariseCases(cases: readonly ExhaustionCase[]): CoverageSummary {
  const s: CoverageSummary = {
    cases: 0,
    covered: 0,
    reached: 0,
    reachedCovered: 0,
    reachedCommitted: 0,
    notReached: 0,
    notReachedCovered: 0,
    statusRight: 0,
    brier: 0,
  };
  for (const c of cases) {
    s.cases++;
    if (c.covered) s.covered++;
    if (c.statusRight) s.statusRight++;
    s.brier += (c.probability - (c.truthMs !== null ? 1 : 0)) ** 2;
    if (c.truthMs !== null) {
      s.reached++;
      if (c.covered) s.reachedCovered++;
      if (c.etaHighMs !== null) s.reachedCommitted++;
    } else {
      s.notReached++;
      if (c.covered) s.notReachedCovered++;
    }
  }
  return s;
}

function pct(a: number, b: number): string {
  return b === 0 ? '–' : `${((100 * a) / b).toFixed(0)} %`;
}

function row(label: string, s: CoverageSummary): string {
  return `| ${label} | ${s.cases} | ${pct(s.covered, s.cases)} | ${s.reached} | ${pct(s.reachedCovered, s.reached)} | ${pct(s.reachedCommitted, s.reached)} | ${s.notReached} | ${pct(s.notReachedCovered, s.notReached)} | ${pct(s.statusRight, s.cases)} | ${s.cases === 0 ? '–' : (s.brier / s.cases).toFixed(3)} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: resolve(repoRoot, '../shared/datasets/nab-dev') },
      model: { type: 'string', default: 'robust-trend' },
      origins: { type: 'string', default: '8' },
      'horizon-hours': { type: 'string', default: '48' },
      'history-days': { type: 'string', default: '7' },
    },
  });
  const models = exhaustionOptionsSchema.shape.model.removeDefault();
  const parsed = models.safeParse(values.model);
  if (!parsed.success) {
    console.error(`--model must be one of ${models.options.join(', ')}, not "${values.model}"`);
    process.exit(2);
  }
  const model = parsed.data;
  const origins = Number(values.origins);
  const horizonHours = Number(values['horizon-hours']);
  const historyDays = Number(values['history-days']);
  if (!(Number.isInteger(origins) && origins >= 1 && horizonHours > 0 && historyDays > 0)) {
    console.error('--origins must be an integer ≥ 1, --horizon-hours and --history-days positive numbers');
    process.exit(2);
  }
  const started = Date.now();
  const all: ExhaustionCase[] = [];
  const byCategory = new Map<string, ExhaustionCase[]>();
  for (const path of await listNabFiles(values.data)) {
    const series = parseSeriesCsv(await readFile(join(values.data, 'data', path), 'utf8'));
    const cases = exhaustionBacktest(series.times, series.values, {
      model,
      origins,
      horizonMs: horizonHours * 3_600_000,
      historyMs: historyDays * 86_400_000,
    });
    all.push(...cases);
    const category = path.split('/')[0]!;
    const inCategory = byCategory.get(category) ?? [];
    inCategory.push(...cases);
    byCategory.set(category, inCategory);
  }
  console.log(
    `time-to-exhaustion ranges, model ${model}, 90 % band, ${origins} origins per file, ${historyDays} d history, ${horizonHours} h horizon; limits at the last value + 0.25 / 0.5 / 1 / 2 × the history's q1–q99 range`,
  );
  console.log(
    '| cases | n | range covers the truth | reached | covered | committed (finite latest ETA) | not reached | covered | point ETA on the right side | Brier score of the stated chance |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(row('all', summariseCases(all)));
  for (const d of [0.25, 0.5, 1, 2]) console.log(row(`limit at +${d} × range`, summariseCases(all.filter((c) => c.distance === d))));
  for (const [category, cases] of [...byCategory.entries()].sort()) console.log(row(category, summariseCases(cases)));
  console.log(`${all.length} questions in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
