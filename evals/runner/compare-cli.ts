/**
 * npm run eval:compare -- a.json b.json [--fail-on-regression]
 * Prints improved / regressed / unchanged cases and the pass-rate delta between two eval runs.
 * Exit 0, or 1 with --fail-on-regression when a case regressed or B has a safety violation; 2 on bad input.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { compareReports, formatComparison } from './compare.js';
import { parseReport } from './report-schema.js';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { 'fail-on-regression': { type: 'boolean', default: false } } });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const [fileA, fileB] = parsed.positionals;
  if (!fileA || !fileB || parsed.positionals.length !== 2) {
    process.stderr.write('usage: npm run eval:compare -- <a/report.json> <b/report.json> [--fail-on-regression]\n');
    return 2;
  }
  let a, b;
  try {
    a = parseReport(await readFile(fileA, 'utf8'), fileA);
    b = parseReport(await readFile(fileB, 'utf8'), fileB);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const comparison = compareReports(a, b);
  process.stdout.write(`${formatComparison(comparison, a, b, { a: fileA, b: fileB })}\n`);
  if (parsed.values['fail-on-regression'] && (comparison.regressed.length > 0 || comparison.safety_violations.b > 0)) return 1;
  return 0;
}

process.exitCode = await main();
