/**
 * Aggregation and formatting of forecast backtest results: the per-file table (console and
 * Markdown) and the summary (median MASE per model configuration). Pure string building.
 */
import { median } from '../../src/analytics/forecast/stats.js';
import type { SeriesBacktest } from './backtest.js';
import { type CvReport, formatCv } from './cv.js';
import type { Variant } from './variants.js';

export interface FileResult extends SeriesBacktest {
  file: string;
}

export interface ForecastReport {
  generatedAt: string;
  dataDir: string;
  horizonMs: number;
  origins: number;
  trainFraction: number;
  /** The production configuration (first model). */
  production: Variant;
  models: Variant[];
  /** Median over files of each configuration's MASE (files with an undefined MASE skipped). */
  medianMase: Partial<Record<Variant, number>>;
  /** Files where each configuration has the lowest MASE. */
  wins: Partial<Record<Variant, number>>;
  /** Files with a defined production MASE, and how many of them are below 1. */
  filesScored: number;
  filesBelowOne: number;
  /** Mean interval coverage per configuration (nominal = level). */
  meanCoverage: Partial<Record<Variant, number>>;
  level: number;
  /** Cross-validated scores of the choice among `models`. */
  cv: CvReport;
  target: string;
  targetMet: boolean;
  files: FileResult[];
}

/** Builds the summary over per-file results. */
export function summarise(
  files: FileResult[],
  meta: Omit<ForecastReport, 'medianMase' | 'wins' | 'meanCoverage' | 'targetMet' | 'files' | 'target' | 'filesScored' | 'filesBelowOne'>,
): ForecastReport {
  const medianMase: ForecastReport['medianMase'] = {};
  const meanCoverage: ForecastReport['meanCoverage'] = {};
  const wins: ForecastReport['wins'] = {};
  for (const m of meta.models) {
    medianMase[m] = median(files.map((f) => f.scores[m]?.mase ?? Number.NaN));
    const cov = files.map((f) => f.scores[m]?.coverage ?? Number.NaN).filter(Number.isFinite);
    meanCoverage[m] = cov.length ? cov.reduce((a, b) => a + b, 0) / cov.length : Number.NaN;
  }
  for (const f of files) {
    const best = bestModel(f, meta.models);
    if (best) wins[best] = (wins[best] ?? 0) + 1;
  }
  const productionMedian = medianMase[meta.production] ?? Number.NaN;
  const production = files.map((f) => f.scores[meta.production]?.mase ?? Number.NaN).filter(Number.isFinite);
  return {
    ...meta,
    filesScored: production.length,
    filesBelowOne: production.filter((m) => m < 1).length,
    medianMase,
    wins,
    meanCoverage,
    target: 'median MASE < 1 at the 1-hour horizon',
    targetMet: productionMedian < 1,
    files,
  };
}

/** The configuration with the lowest MASE on a file ('auto' excluded: it is a choice among the others). */
export function bestModel(file: SeriesBacktest, models: Variant[]): Variant | null {
  let best: Variant | null = null;
  for (const m of models) {
    if (m === 'auto') continue;
    const v = file.scores[m]?.mase ?? Number.NaN;
    if (Number.isFinite(v) && (best === null || v < (file.scores[best]?.mase ?? Infinity))) best = m;
  }
  return best;
}

const fmt = (x: number | undefined, digits = 3): string => (x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function usedSummary(file: FileResult, production: Variant): string {
  const used = file.scores[production]?.used ?? {};
  return Object.entries(used)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
}

/** Plain-text table for the console. */
export function formatTable(report: ForecastReport): string {
  const header = ['file', 'step', 'H', 'season', ...report.models, 'best', `${report.production} used`];
  const rows = report.files.map((f) => [
    f.file,
    `${Math.round(f.stepMs / 60_000)}m`,
    String(f.horizonSteps),
    f.seasonPeriod ? String(f.seasonPeriod) : '-',
    ...report.models.map((m) => fmt(f.scores[m]?.mase)),
    bestModel(f, report.models) ?? '-',
    usedSummary(f, report.production),
  ]);
  rows.push(['MEDIAN', '', '', '', ...report.models.map((m) => fmt(report.medianMase[m])), '', '']);
  rows.push(['coverage', '', '', '', ...report.models.map((m) => fmt(report.meanCoverage[m], 2)), '', '']);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** Markdown report. */
export function formatMarkdown(report: ForecastReport): string {
  const out: string[] = [];
  out.push('# Forecast backtest (rolling origin)', '');
  out.push(`Generated ${report.generatedAt} on \`${report.dataDir}\`.`, '');
  out.push(
    `Horizon ${report.horizonMs / 60_000} min (in steps: horizon / the file's median step, at least 1); ` +
      `${report.origins} origins per file after the first ${Math.round(report.trainFraction * 100)}% of rows; ` +
      'each origin forecasts from the rows before it only. MASE scale: in-sample seasonal-naive MAE on the ' +
      "origin's training part (season = 1 day when detected, else lag 1). Per-file MASE = mean over origins.",
    '',
  );
  out.push(
    `**Production configuration: \`${report.production}\` — median MASE ${fmt(report.medianMase[report.production])}** over ${report.filesScored} files ` +
      `(${report.filesBelowOne} below 1; target: ${report.target}; ${report.targetMet ? 'met' : 'NOT met'}). ` +
      'Files whose MASE is undefined (a training part with zero seasonal-naive error, e.g. an exactly periodic series) are left out of the medians.',
    '',
  );
  out.push('| model | median MASE | files won | mean coverage of the ' + `${Math.round(report.level * 100)}% interval |`);
  out.push('|---|---|---|---|');
  for (const m of report.models)
    out.push(`| ${m} | ${fmt(report.medianMase[m])} | ${m === 'auto' ? '—' : (report.wins[m] ?? 0)} | ${fmt(report.meanCoverage[m], 2)} |`);
  out.push('', '## Cross-validation', '', formatCv(report.cv), '', formatTimes(report));
  out.push('', '## Per file', '');
  out.push(`| file | step | H | season | ${report.models.join(' | ')} | best | ${report.production} used |`);
  out.push(`|---|---|---|---|${report.models.map(() => '---|').join('')}---|---|`);
  for (const f of report.files) {
    out.push(
      `| ${f.file} | ${Math.round(f.stepMs / 60_000)} min | ${f.horizonSteps} | ${f.seasonPeriod ?? '—'} | ${report.models.map((m) => fmt(f.scores[m]?.mase)).join(' | ')} | ${bestModel(f, report.models) ?? '—'} | ${usedSummary(f, report.production)} |`,
    );
  }
  const notes = report.files.filter((f) => f.notes.length > 0);
  if (notes.length > 0) {
    out.push('', '## Notes', '');
    for (const f of notes) out.push(`- ${f.file}: ${f.notes.length} origin(s) skipped (${f.notes[0]})`);
  }
  return `${out.join('\n')}\n`;
}

/** Total forecasting time per configuration (all files and origins; one core). */
export function formatTimes(report: ForecastReport): string {
  const total = (m: Variant): number => report.files.reduce((s, f) => s + (f.scores[m]?.ms ?? 0), 0);
  const base = total(report.production);
  return `Forecasting time per configuration (s, all files; × ${report.production}): ${report.models
    .map((m) => `${m} ${(total(m) / 1000).toFixed(1)} (${base > 0 ? (total(m) / base).toFixed(2) : 'n/a'}×)`)
    .join(', ')}`;
}
