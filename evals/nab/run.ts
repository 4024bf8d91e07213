/**
 * npm run eval:nab -- [--data <dir>] [--out <dir>] [--detector <name>] [--half odd|even] [--splits R] [--seed S] [--fp-gap K]
 * Runs a detector over the NAB corpus (one fresh detector per file, rows in order), scores the three
 * profiles with one global threshold each (in-sample) and cross-validated (leave-one-category-out and R
 * seeded half-splits, re-thresholding the same scores), prints the table and writes nab-report.{json,md}
 * and the false-positive study nab-fp.{json,md}.
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
import { fpMarkdown, profileFalsePositives, type ProfileFp, type StudyFile } from './fp-study.js';
import { buildReport, DEFAULT_CV, reportMarkdown, type CvOptions, type NabReport } from './report.js';
import { PROFILES } from './scorer.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunOptions {
  data: string;
  detector: string;
  half?: 'odd' | 'even';
  progress?: (msg: string) => void;
  /** Builds the detector per file instead of the registry (for experiments); `detector` is then a label. */
  factory?: () => StreamingDetector;
  cv?: CvOptions;
  /** FP rows at most this many rows apart form one episode in the false-positive study. */
  fpGap?: number;
}

export const DEFAULT_FP_GAP = 12;

export interface NabRun {
  report: NabReport;
  /** The false-positive study per profile at the in-sample threshold. */
  fp: ProfileFp[];
}

/**
 * Runs the detector once over every file (fresh detector per file, rows in order). Experiments that
 * compare configurations call this once per configuration and hand the lists to cv.ts's locoSelect /
 * halfSplitSelect, so a tuned constant is chosen on training folds only, like the threshold.
 */
export async function scoreNabFiles(opts: RunOptions): Promise<StudyFile[]> {
  const labels = await loadLabels(opts.data);
  let paths = await listNabFiles(opts.data);
  if (opts.half) paths = splitHalf(paths, opts.half);
  const scored: StudyFile[] = [];
  for (const [k, path] of paths.entries()) {
    const file = await loadNabFile(opts.data, path, labels);
    const detector = opts.factory ? opts.factory() : createDetector(opts.detector);
    const { times, values } = file.series;
    const scores = new Float64Array(values.length);
    detector.scoreInto(times, values, scores); // exactly update() point by point, in one loop
    scored.push({ name: path, category: file.category, scores, windows: file.windows, timestamps: file.series.timestamps });
    opts.progress?.(`[${k + 1}/${paths.length}] ${path} (${values.length} rows)`);
  }
  return scored;
}

export async function runNab(opts: RunOptions): Promise<NabRun> {
  const started = performance.now();
  const scored = await scoreNabFiles(opts);
  const seconds = (performance.now() - started) / 1000; // detector time; the re-thresholding comes after
  const report = buildReport(scored, opts.detector, opts.data, seconds, opts.cv ?? DEFAULT_CV);
  const gap = opts.fpGap ?? DEFAULT_FP_GAP;
  const fp = PROFILES.map((p) => profileFalsePositives(scored, report.profiles[p.name]!.threshold, p, gap));
  return { report, fp };
}

function intArg(text: string | undefined, name: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: join(repoRoot, '..', 'shared', 'datasets', 'nab-dev') },
      out: { type: 'string', default: join(repoRoot, 'reports', 'nab') },
      detector: { type: 'string', default: DEFAULT_DETECTOR },
      half: { type: 'string' },
      splits: { type: 'string' },
      seed: { type: 'string' },
      'fp-gap': { type: 'string' },
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
  let cv: CvOptions;
  let fpGap: number;
  try {
    cv = { splits: intArg(values.splits, 'splits', DEFAULT_CV.splits, 1), seed: intArg(values.seed, 'seed', DEFAULT_CV.seed, 0) };
    fpGap = intArg(values['fp-gap'], 'fp-gap', DEFAULT_FP_GAP, 0);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const started = performance.now();
  const { report, fp } = await runNab({
    data: resolve(values.data),
    detector: values.detector,
    half: values.half,
    cv,
    fpGap,
    progress: (m) => process.stderr.write(`\r\x1b[K${m}`),
  });
  process.stderr.write('\n');
  const md = reportMarkdown(report);
  process.stdout.write(md);
  await mkdir(values.out, { recursive: true });
  await writeFile(join(values.out, 'nab-report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(values.out, 'nab-report.md'), md);
  await writeFile(join(values.out, 'nab-fp.json'), `${JSON.stringify({ detector: report.detector, fpGap, profiles: fp }, null, 2)}\n`);
  await writeFile(join(values.out, 'nab-fp.md'), fpMarkdown(report.detector, fp, fpGap));
  const total = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`wrote nab-report.{json,md} and nab-fp.{json,md} to ${values.out} (${total} s in all)\n`);
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
