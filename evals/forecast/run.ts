/**
 * `npm run eval:forecast`: rolling-origin backtest of the forecasters on every CSV of a data set
 * (default: the NAB dev half). Prints a table on stdout, progress on stderr, and writes
 * `forecast-report.json` and `forecast-report.md` to the output directory.
 *
 * Besides the per-file table it reports cross-validated scores (cv.ts): the configuration with the
 * lowest median MASE chosen on other categories / random halves and scored on the held-out files.
 *
 * `--models all` adds every internal 'auto' strategy (src/analytics/forecast/strategies.ts).
 *
 * Usage: tsx evals/forecast/run.ts [--data <dir>] [--out <dir>] [--origins N] [--horizon-min M] [--models all|auto,naive,...] [--splits N]
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSeriesCsv } from '../../src/analytics/series-csv.js';
import { backtestSeries, defaultBacktestModels } from './backtest.js';
import { crossValidate, formatCv } from './cv.js';
import { formatPaired } from './paired.js';
import { type FileResult, formatMarkdown, formatTable, formatTimes, summarise } from './report.js';
import { allVariants, isVariant, type Variant } from './variants.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Args {
  data: string;
  out: string;
  origins: number;
  horizonMs: number;
  models: Variant[];
  splits: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    // ../shared beside the repo; from a worktree under /work/wt that is two levels up.
    data:
      [path.resolve(repoRoot, '../shared/datasets/nab-dev'), path.resolve(repoRoot, '../../shared/datasets/nab-dev')].find((d) =>
        existsSync(d),
      ) ?? path.resolve(repoRoot, '../shared/datasets/nab-dev'),
    out: path.resolve(repoRoot, 'reports/forecast'),
    origins: 20,
    horizonMs: 3_600_000,
    models: defaultBacktestModels,
    splits: 20,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      i++;
      return value;
    };
    switch (flag) {
      case '--data':
        args.data = path.resolve(need());
        break;
      case '--out':
        args.out = path.resolve(need());
        break;
      case '--origins':
        args.origins = positiveInt(need(), flag);
        break;
      case '--horizon-min':
        args.horizonMs = positiveInt(need(), flag) * 60_000;
        break;
      case '--models': {
        const list = need();
        const models = list === 'all' ? allVariants : list.split(',').map((m) => m.trim());
        const bad = models.filter((m) => !isVariant(m));
        if (bad.length > 0) throw new Error(`unknown model(s): ${bad.join(', ')}; choose from ${allVariants.join(', ')}`);
        args.models = models as Variant[];
        break;
      }
      case '--splits':
        args.splits = positiveInt(need(), flag);
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'tsx evals/forecast/run.ts [--data <dir>] [--out <dir>] [--origins N] [--horizon-min M] [--models all | auto,holt-winters,auto:median-all,...] [--splits N]\n',
        );
        process.exit(0);
      // falls through (unreachable)
      default:
        throw new Error(`unknown argument ${flag}`);
    }
  }
  return args;
}

function positiveInt(text: string, flag: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} expects a positive integer, got "${text}"`);
  return n;
}

/** All CSV files under `dir` (recursively), as sorted paths relative to `dir`. */
async function listCsv(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listCsv(dir, rel)));
    else if (e.isFile() && e.name.endsWith('.csv')) out.push(rel);
  }
  return out.sort();
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // NAB keeps its series under data/; accept either the data set root or the data folder itself.
  const nested = path.join(args.data, 'data');
  const root = await readdir(nested).then(
    () => nested,
    () => args.data,
  );
  const files = await listCsv(root);
  if (files.length === 0) throw new Error(`no CSV files under ${root}`);
  const results: FileResult[] = [];
  const started = Date.now();
  for (const [index, file] of files.entries()) {
    const t0 = Date.now();
    const series = parseSeriesCsv(await readFile(path.join(root, file), 'utf8'));
    const result = backtestSeries(series.times, series.values, { horizonMs: args.horizonMs, origins: args.origins, models: args.models });
    results.push({ file, ...result });
    const production = result.scores[args.models[0]!]?.mase;
    process.stderr.write(`[${index + 1}/${files.length}] ${file}: MASE ${production?.toFixed(3) ?? 'n/a'} (${Date.now() - t0} ms)\n`);
  }
  const report = summarise(results, {
    generatedAt: new Date().toISOString(),
    dataDir: path.relative(repoRoot, root) || '.',
    horizonMs: args.horizonMs,
    origins: args.origins,
    trainFraction: 0.5,
    production: args.models[0]!,
    models: args.models,
    level: 0.9,
    cv: crossValidate(results, args.models, args.splits),
  });
  await mkdir(args.out, { recursive: true });
  const replacer = (_key: string, value: unknown): unknown => (typeof value === 'number' && !Number.isFinite(value) ? null : value);
  await writeFile(path.join(args.out, 'forecast-report.json'), `${JSON.stringify(report, replacer, 2)}\n`);
  await writeFile(path.join(args.out, 'forecast-report.md'), formatMarkdown(report));
  process.stdout.write(
    `${formatTable(report)}\n\n${formatCv(report.cv)}\n\n${formatPaired(results, args.models)}\n\n${formatTimes(report)}\n`,
  );
  process.stderr.write(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s; reports in ${path.relative(process.cwd(), args.out) || '.'}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`eval:forecast failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
