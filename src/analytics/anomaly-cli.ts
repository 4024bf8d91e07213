/**
 * npm run anomaly -- score --input <file.csv|dir> --output <dir> [--detector name] [--direction up|down|both] [--min-dev x]
 *
 * Scores every `timestamp,value` CSV under --input (recursively) with a fresh streaming detector per
 * file and writes `timestamp,value,anomaly_score` to the same relative path under --output, one row per
 * input row, in order. Bad input gets a one-line message and exit code 2, never a stack trace.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_DETECTOR, detectorNames, isDetectorName, scoreSeries, type Direction } from './anomaly/index.js';
import { formatScoredCsv, parseSeriesCsv } from './series-csv.js';

const USAGE = 'usage: anomaly score --input <file.csv|dir> --output <dir> [--detector name] [--direction up|down|both] [--min-dev x]';

/** A user error: reported as one line with exit code 2. */
class UsageError extends Error {}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Runs the CLI with argv (without node and script) and returns the exit code. */
export async function runAnomalyCli(argv: string[], io: CliIo = processIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command !== 'score') throw new UsageError(command === undefined ? USAGE : `unknown command "${command}"\n${USAGE}`);
    await score(parseScoreArgs(rest), io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError || isNodeFsError(err)) {
      io.stderr(`anomaly: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

interface ScoreArgs {
  input: string;
  output: string;
  detector: string;
  direction: Direction;
  minDev: number;
}

function parseScoreArgs(argv: string[]): ScoreArgs {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        input: { type: 'string' },
        output: { type: 'string' },
        detector: { type: 'string', default: DEFAULT_DETECTOR },
        direction: { type: 'string', default: 'both' },
        'min-dev': { type: 'string', default: '0' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (!values.input || !values.output) throw new UsageError(`--input and --output are required\n${USAGE}`);
  if (!isDetectorName(values.detector))
    throw new UsageError(`unknown detector "${values.detector}"; choose one of: ${detectorNames.join(', ')}`);
  if (!['up', 'down', 'both'].includes(values.direction)) throw new UsageError('--direction must be up, down or both');
  const minDev = Number(values['min-dev']);
  if (!(minDev >= 0)) throw new UsageError('--min-dev must be a number ≥ 0');
  return {
    input: resolve(values.input),
    output: resolve(values.output),
    detector: values.detector,
    direction: values.direction as Direction,
    minDev,
  };
}

async function score(args: ScoreArgs, io: CliIo): Promise<void> {
  const info = await stat(args.input).catch(() => {
    throw new UsageError(`input not found: ${args.input}`);
  });
  const root = info.isDirectory() ? args.input : dirname(args.input);
  const files = info.isDirectory() ? await listCsv(args.input) : [args.input];
  if (files.length === 0) throw new UsageError(`no .csv files under ${args.input}`);
  let rows = 0;
  for (const [k, file] of files.entries()) {
    const rel = info.isDirectory() ? relative(root, file) : basename(file);
    let series;
    try {
      series = parseSeriesCsv(await readFile(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`${file}: ${(err as Error).message}`);
    }
    const scores = scoreSeries(series.times, series.values, args.detector, { direction: args.direction, minDev: args.minDev });
    const target = join(args.output, rel);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, formatScoredCsv(series, scores));
    rows += scores.length;
    io.stderr(`[${k + 1}/${files.length}] ${rel}: ${scores.length} rows\n`);
  }
  io.stderr(`scored ${files.length} file(s), ${rows} rows with "${args.detector}" into ${args.output}\n`);
}

async function listCsv(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listCsv(path)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.csv')) out.push(path);
  }
  return out;
}

function isNodeFsError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall !== undefined
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runAnomalyCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`anomaly: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
