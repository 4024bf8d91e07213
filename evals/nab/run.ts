/**
 * npm run eval:nab -- [--data <dir>] [--out <dir>] [--detector <name>] [--half odd|even]
 * Runs a detector over the NAB corpus (one fresh detector per file, rows in order), scores the three
 * profiles with one global threshold each, prints the table and writes nab-report.{json,md}.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createDetector,
  DEFAULT_DETECTOR,
  isDetectorName,
  detectorNames,
  type StreamingDetector,
} from '../../src/analytics/anomaly/index.js';
import { listNabFiles, loadLabels, loadNabFile, splitHalf } from './data.js';
import { buildReport, reportMarkdown, type NabReport } from './report.js';
import type { ScoredFile } from './scorer.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunOptions {
  data: string;
  detector: string;
  half?: 'odd' | 'even';
  progress?: (msg: string) => void;
  /** Builds the detector per file instead of the registry (for experiments); `detector` is then a label. */
  factory?: () => StreamingDetector;
}

export async function runNab(opts: RunOptions): Promise<NabReport> {
  const started = performance.now();
  const labels = await loadLabels(opts.data);
  let paths = await listNabFiles(opts.data);
  if (opts.half) paths = splitHalf(paths, opts.half);
  const scored: (ScoredFile & { category: string })[] = [];
  for (const [k, path] of paths.entries()) {
    const file = await loadNabFile(opts.data, path, labels);
    const detector = opts.factory ? opts.factory() : createDetector(opts.detector);
    const { times, values } = file.series;
    const scores = new Float64Array(values.length);
    detector.scoreInto(times, values, scores); // exactly update() point by point, in one loop
    scored.push({ name: path, category: file.category, scores, windows: file.windows });
    opts.progress?.(`[${k + 1}/${paths.length}] ${path} (${values.length} rows)`);
  }
  return buildReport(scored, opts.detector, opts.data, (performance.now() - started) / 1000);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: join(repoRoot, '..', 'shared', 'datasets', 'nab-dev') },
      out: { type: 'string', default: join(repoRoot, 'reports', 'nab') },
      detector: { type: 'string', default: DEFAULT_DETECTOR },
      half: { type: 'string' },
    },
  });
  if (!isDetectorName(values.detector)) {
    process.stderr.write(`unknown detector "${values.detector}"; choose one of: ${detectorNames.join(', ')}\n`);
    return 2;
  }
  if (values.half !== undefined && values.half !== 'odd' && values.half !== 'even') {
    process.stderr.write('--half must be "odd" or "even"\n');
    return 2;
  }
  const report = await runNab({
    data: resolve(values.data),
    detector: values.detector,
    half: values.half,
    progress: (m) => process.stderr.write(`\r\x1b[K${m}`),
  });
  process.stderr.write('\n');
  const md = reportMarkdown(report);
  process.stdout.write(md);
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'nab-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(values.out, 'nab-report.md'), md);
  process.stderr.write(`wrote ${join(values.out, 'nab-report.json')} and nab-report.md\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`eval:nab failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
