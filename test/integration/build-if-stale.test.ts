/**
 * `npm start`'s build step (scripts/build-if-stale.mjs) on a tiny project: the first start compiles,
 * a start with nothing changed does not run tsc at all, and a changed source compiles again.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const script = path.resolve('scripts/build-if-stale.mjs');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aiops-build-'));
  await mkdir(path.join(dir, 'src'));
  await symlink(path.resolve('node_modules'), path.join(dir, 'node_modules'));
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', target: 'ES2022', rootDir: '.', outDir: 'dist', skipLibCheck: true, types: [] },
    }),
  );
  await writeFile(
    path.join(dir, 'tsconfig.build.json'),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo' },
      include: ['src'],
    }),
  );
  await writeFile(path.join(dir, 'src', 'main.ts'), 'export const answer: number = 42;\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const start = () => spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });

it('compiles when dist/ is missing or stale, and skips tsc when it is up to date', async () => {
  const first = start();
  expect(first.status, first.stderr).toBe(0);
  expect(first.stderr).toMatch(/built dist\/ in/);
  expect(existsSync(path.join(dir, 'dist', 'src', 'main.js'))).toBe(true);

  const again = start();
  expect(again.status).toBe(0);
  expect(again.stderr).toBe('');

  const later = new Date(Date.now() + 5_000);
  await writeFile(path.join(dir, 'src', 'main.ts'), 'export const answer: number = 43;\n');
  await utimes(path.join(dir, 'src', 'main.ts'), later, later);
  const changed = start();
  expect(changed.status, changed.stderr).toBe(0);
  expect(changed.stderr).toMatch(/built dist\/ in/);
}, 60_000);
