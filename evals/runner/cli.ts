/**
 * npm run eval -- [--model deterministic|ollama|openai] [--prompts <dir>] [--cases <glob>[,<glob>…]]
 *                 [--repeat N] [--out <dir>] [--min-pass-rate <percent>]
 * Runs the eval cases against the in-process service, shows progress on stderr, writes report.json and
 * report.html, records a Langfuse dataset run when LANGFUSE_* is set, and ends with the summary line
 * `pass rate 93.3% (28/30)` on stdout. Exit 1 on any safety violation or below --min-pass-rate, 2 on bad input.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { langfuseSettings, recordLangfuseRun } from './langfuse.js';
import { loadCases } from './load-cases.js';
import { isModelMode, MODEL_MODES, modelSettings } from './model.js';
import { createProgress } from './progress.js';
import { DEFAULT_CASES_DIR, REPO_ROOT, runEvals } from './run.js';
import { summaryLine } from './summary.js';
import { defaultOutDir, writeReports } from './write-reports.js';

function usage(message: string): number {
  process.stderr.write(
    `${message}\nusage: npm run eval -- [--model ${MODEL_MODES.join('|')}] [--prompts <dir>] [--cases <glob>] [--repeat N] [--out <dir>] [--min-pass-rate <percent>]\n`,
  );
  return 2;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string', default: 'deterministic' },
        prompts: { type: 'string' },
        cases: { type: 'string', multiple: true },
        repeat: { type: 'string', default: '1' },
        out: { type: 'string' },
        'min-pass-rate': { type: 'string' },
      },
    }));
  } catch (err) {
    return usage((err as Error).message);
  }
  if (!isModelMode(values.model)) return usage(`--model must be one of ${MODEL_MODES.join(', ')}`);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100) return usage('--repeat must be a whole number from 1 to 100');
  const minPassRate = values['min-pass-rate'] === undefined ? undefined : Number(values['min-pass-rate']);
  if (minPassRate !== undefined && !(minPassRate >= 0 && minPassRate <= 100)) return usage('--min-pass-rate is a percentage from 0 to 100');
  const patterns = (values.cases ?? [])
    .flatMap((c) => c.split(','))
    .map((c) => c.trim())
    .filter(Boolean);

  let model;
  let cases;
  try {
    model = modelSettings(values.model, process.env);
    cases = await loadCases(DEFAULT_CASES_DIR, patterns);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const progress = createProgress(cases.length * repeat, process.stderr);
  let report;
  try {
    report = await runEvals({
      cases: patterns,
      repeat,
      model,
      ...(values.prompts ? { promptsDir: resolve(values.prompts) } : {}),
      progress,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }

  const langfuse = langfuseSettings(process.env);
  if (langfuse) {
    report.langfuse = await recordLangfuseRun(report, cases, langfuse);
    process.stderr.write(`langfuse: ${report.langfuse.status}${report.langfuse.detail ? ` (${report.langfuse.detail})` : ''}\n`);
  }
  const out = resolve(values.out ?? defaultOutDir(REPO_ROOT, new Date(report.started_at)));
  const files = await writeReports(report, out);

  const s = report.summary;
  for (const r of report.results.filter((x) => x.status !== 'passed')) {
    const why =
      r.error ??
      r.scorers
        .filter((x) => x.status === 'fail')
        .map((x) => `${x.name}: ${x.details[0] ?? ''}`)
        .join('; ');
    process.stderr.write(
      `${r.status === 'errored' ? 'errored' : r.fatal ? 'FAILED (safety)' : 'failed'} ${r.case_id}${r.repetition > 1 ? ` #${r.repetition}` : ''}: ${why}\n`,
    );
  }
  process.stderr.write(
    `model ${report.model.name ?? 'deterministic'}, judge ${report.judge_model ?? 'not run'}, ${s.passed} passed, ${s.failed} failed, ${s.errored} errored, ${s.safety_violations} safety violation(s)\n`,
  );
  process.stderr.write(`reports: ${files.json}\n         ${files.html}\n`);
  process.stdout.write(`${summaryLine(s)}\n`);
  if (s.safety_violations > 0) return 1;
  if (minPassRate !== undefined && s.pass_rate * 100 < minPassRate) return 1;
  return 0;
}

process.exitCode = await main();
