// `npm start`'s build step: compiles only when a source is newer than the last build. The TypeScript
// build took 7–8 s of every start even when nothing had changed; now an up-to-date dist/ costs a few
// directory walks, and a stale one an incremental tsc (tsconfig.build.json keeps dist/.tsbuildinfo).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = ['src', 'agents', 'tools', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const STAMP = 'dist/.build-stamp';

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (built > 0 && SOURCES.every((path) => newestMtime(path) < built)) process.exit(0);

const started = Date.now();
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
// Stamped with the build's start: a source saved while tsc ran is newer, so the next start rebuilds.
writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
utimesSync(STAMP, started / 1000, started / 1000);
console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
