// Dependency audit report: the production dependency tree with versions and licences
// (reports/dependencies.json), and npm's advisory audit when the registry offers it.
// The registry mirror used here answers the advisory endpoint with 405; that is reported, not hidden.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';

mkdirSync('reports', { recursive: true });
const tree = JSON.parse(execFileSync('npm', ['ls', '--omit=dev', '--all', '--json', '--long'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const packages = new Map();
(function walk(deps = {}) {
  for (const [name, info] of Object.entries(deps)) {
    const key = `${name}@${info.version}`;
    if (!packages.has(key)) packages.set(key, { name, version: info.version, license: info.license ?? 'unknown' });
    walk(info.dependencies);
  }
})(tree.dependencies);
const list = [...packages.values()].sort((a, b) => a.name.localeCompare(b.name));
const licences = Object.entries(list.reduce((acc, p) => ({ ...acc, [p.license]: (acc[p.license] ?? 0) + 1 }), {}));

const audit = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 60_000 });
let advisories;
try {
  const parsed = JSON.parse(audit.stdout);
  advisories = parsed.metadata?.vulnerabilities ?? { unavailable: parsed.message ?? parsed.error?.summary ?? 'unknown error' };
} catch {
  advisories = { unavailable: (audit.stderr || 'npm audit produced no JSON').split('\n')[0] };
}
writeFileSync('reports/dependencies.json', JSON.stringify({ generated_at: new Date().toISOString(), packages: list, advisories }, null, 2));
console.error(
  `dependencies: ${list.length} production packages; licences ${licences.map(([l, n]) => `${l}×${n}`).join(', ')}; ` +
    `advisories: ${advisories.unavailable ? `unavailable (${advisories.unavailable})` : JSON.stringify(advisories)} → reports/dependencies.json`,
);
