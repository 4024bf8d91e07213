/**
 * Finds the cases (`<dir>/<NN-slug>/case.yaml`), keeps those matching `--cases` globs, and parses
 * every one of them: all invalid cases are reported together, each with its file and fields.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CaseError, parseCase, type EvalCase } from './case-schema.js';

const CASE_DIR = /^\d{2,3}-[a-z0-9-]+$/;

/** `*` any run of characters but `/`, `?` one character; matched against the case folder name. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  // eslint-disable-next-line security/detect-non-literal-regexp -- built from an escaped operator-given glob
  return new RegExp(`^${body}$`);
}

/** `evals/cases/0*`, `evals/cases/01-x/case.yaml`, `01-*` → the folder part to match. */
function folderPattern(pattern: string): string {
  const trimmed = pattern.replace(/\/case\.ya?ml$/, '').replace(/\/+$/, '');
  return basename(trimmed);
}

export function matchesAny(folder: string, patterns: readonly string[]): boolean {
  return patterns.length === 0 || patterns.some((p) => globToRegExp(folderPattern(p)).test(folder));
}

export async function loadCases(dir: string, patterns: readonly string[] = []): Promise<EvalCase[]> {
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && CASE_DIR.test(d.name) && matchesAny(d.name, patterns))
    .map((d) => d.name)
    .sort();
  const cases: EvalCase[] = [];
  const problems: string[] = [];
  for (const folder of folders) {
    const file = join(dir, folder, 'case.yaml');
    try {
      cases.push(parseCase(await readFile(file, 'utf8'), file, folder));
    } catch (err) {
      problems.push(err instanceof CaseError ? err.message : `${file}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  if (cases.length === 0) throw new Error(`no case in ${dir}${patterns.length > 0 ? ` matches ${patterns.join(', ')}` : ''}`);
  return cases;
}
