/**
 * npm run eval:null -- [--points N] [--seeds K] [--detector name]
 * How often a detector fires on generic anomaly-free series (evals/null/series.ts) after NAB's probation
 * (15 %, at most 750 rows), at the dev half's standard and low-FP thresholds and the product's finding
 * threshold (0.45). A check that does not use the NAB files, so a mechanism cannot pass it by fitting them.
 */
import { parseArgs } from 'node:util';
import { scoreSeries } from '../../src/analytics/anomaly/index.js';
import { NULL_SERIES, nullSeries } from './series.js';

export const NULL_THRESHOLDS = [0.368, 0.418, 0.45] as const;

export interface NullRow {
  series: string;
  /** Scored rows after probation, over all seeds. */
  rows: number;
  /** Rows at or above each of NULL_THRESHOLDS. */
  fired: number[];
  max: number;
}

export function runNullSuite(detector = 'default', points = 4032, seeds = 1): NullRow[] {
  const probation = Math.min(Math.floor(0.15 * points), 750);
  return Object.keys(NULL_SERIES).map((series) => {
    const fired = NULL_THRESHOLDS.map(() => 0);
    let max = 0;
    for (let seed = 7; seed < 7 + seeds; seed++) {
      const { times, values } = nullSeries(series, points, seed);
      const s = scoreSeries(times, values, detector);
      for (let i = probation; i < points; i++) {
        if (s[i]! > max) max = s[i]!;
        NULL_THRESHOLDS.forEach((t, k) => {
          if (s[i]! >= t) fired[k]!++;
        });
      }
    }
    return { series, rows: seeds * (points - probation), fired, max };
  });
}

/** Rows at or above NULL_THRESHOLDS[k] per 1000 scored rows, over all the series of a run. */
export function firedPer1000(rows: readonly NullRow[], k: number): number {
  const total = rows.reduce((n, r) => n + r.rows, 0);
  return (1000 * rows.reduce((n, r) => n + r.fired[k]!, 0)) / total;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      points: { type: 'string', default: '4032' },
      seeds: { type: 'string', default: '3' },
      detector: { type: 'string', default: 'default' },
    },
  });
  const points = Number(values.points);
  const seeds = Number(values.seeds);
  if (!(Number.isInteger(points) && points >= 100 && Number.isInteger(seeds) && seeds >= 1)) {
    console.error('--points must be an integer ≥ 100 and --seeds an integer ≥ 1');
    process.exit(2);
  }
  const rows = runNullSuite(values.detector, points, seeds);
  console.log(`detector ${values.detector}, ${points} points per series (5-minute steps), ${seeds} seed(s), after probation`);
  console.log(`| series | rows | ${NULL_THRESHOLDS.map((t) => `≥ ${t}`).join(' | ')} | max score |`);
  console.log(`|---|---:|${NULL_THRESHOLDS.map(() => '---:|').join('')}---:|`);
  for (const r of rows) console.log(`| ${r.series} | ${r.rows} | ${r.fired.join(' | ')} | ${r.max.toFixed(3)} |`);
  const total = rows.reduce((n, r) => n + r.rows, 0);
  const per = NULL_THRESHOLDS.map((_, k) => firedPer1000(rows, k).toFixed(3));
  console.log(`| all (per 1000 rows) | ${total} | ${per.join(' | ')} | |`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
