/**
 * Writes scenario metrics as an OpenMetrics file for `promtool tsdb create-blocks-from openmetrics`, and
 * prints the sampled window as JSON on stdout ({"startMs":…,"endMs":…,"stepMs":…}) for the caller.
 *
 *   npx tsx scripts/generate-openmetrics.ts --workspaces ws-a:memory_leak+egress_spike,ws-c: \
 *     --hours 6 --step 30s --end now --out data.om [--demo] [--seed 7] [--scaled ws-bench:200]
 *
 * A workspace is `id:incident+incident` (`id:` alone is healthy); `--demo` adds demoWorkspaces();
 * `--scaled id:pods[,id:pods]` adds healthy benchmark workspaces of that many pods (scaledWorkspace).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  demoWorkspaces,
  generateSeries,
  INCIDENT_KINDS,
  isIncidentKind,
  scaledWorkspace,
  scenarioWorkspace,
  writeOpenMetrics,
  type IncidentKind,
  type RawSeries,
  type TimeWindow,
  type WorkspaceScenario,
} from '../src/metrics/scenarios/index.js';

const USAGE = `usage: generate-openmetrics --out FILE [--workspaces id:kind+kind,id:] [--demo] [--scaled id:pods,…] [--hours 6] [--step 30s] [--end now|UNIX_SECONDS] [--seed N]
incident kinds: ${INCIDENT_KINDS.join(', ')}`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

/** `30s`, `5m`, `1h`, `250ms` or a bare number of seconds → milliseconds. */
function parseDurationMs(text: string): number {
  const units: [string, number][] = [
    ['ms', 1],
    ['s', 1_000],
    ['m', 60_000],
    ['h', 3_600_000],
    ['d', 86_400_000],
  ];
  for (const [suffix, factor] of units) {
    if (text.endsWith(suffix)) {
      const n = Number(text.slice(0, -suffix.length));
      if (text.length > suffix.length && Number.isFinite(n) && n > 0) return n * factor;
    }
  }
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n) && n > 0) return n * 1_000;
  return fail(`bad duration "${text}"`);
}

/** `ws-a:memory_leak+cpu_saturation` → a baseline workspace with those incidents. */
function parseWorkspace(spec: string, seed: number | undefined): WorkspaceScenario {
  const colon = spec.indexOf(':');
  const id = (colon < 0 ? spec : spec.slice(0, colon)).trim();
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) fail(`bad workspace id "${id}" (lower-case letters, digits, dashes)`);
  const kinds: IncidentKind[] = [];
  for (const raw of (colon < 0 ? '' : spec.slice(colon + 1)).split('+')) {
    const kind = raw.trim();
    if (kind === '') continue;
    if (!isIncidentKind(kind)) fail(`unknown incident "${kind}" in "${spec}"`);
    kinds.push(kind);
  }
  return scenarioWorkspace(id, kinds, seed);
}

/** `ws-bench:200` → a healthy benchmark workspace of 200 pods. */
function parseScaled(spec: string, seed: number | undefined): WorkspaceScenario {
  const match = /^([a-z0-9][a-z0-9-]{0,62}):(\d{1,5})$/.exec(spec);
  const pods = Number(match?.[2]);
  if (!match || !(pods > 0)) fail(`bad --scaled "${spec}" (id:pods, e.g. ws-bench:200)`);
  return scaledWorkspace(match[1]!, pods, seed);
}

function main(argv: string[]): void {
  const opts = new Map<string, string>();
  let demo = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--demo') demo = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else if (['--workspaces', '--scaled', '--hours', '--step', '--end', '--out', '--seed'].includes(arg)) {
      const value = argv[++i];
      if (value === undefined) fail(`${arg} needs a value`);
      opts.set(arg.slice(2), value);
    } else fail(`unknown argument "${arg}"`);
  }
  const out = opts.get('out') ?? fail('--out is required');
  const seedText = opts.get('seed');
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !Number.isInteger(seed)) fail(`bad seed "${seedText}"`);

  const scenarios: WorkspaceScenario[] = demo ? demoWorkspaces() : [];
  for (const spec of (opts.get('workspaces') ?? '').split(',')) {
    if (spec.trim() !== '') scenarios.push(parseWorkspace(spec.trim(), seed));
  }
  for (const spec of (opts.get('scaled') ?? '').split(',')) {
    if (spec.trim() !== '') scenarios.push(parseScaled(spec.trim(), seed));
  }
  if (scenarios.length === 0) fail('nothing to generate: give --workspaces, --scaled and/or --demo');
  const ids = scenarios.map((s) => s.workspaceId);
  if (new Set(ids).size !== ids.length) fail(`duplicate workspace ids: ${ids.join(', ')}`);

  const hours = Number(opts.get('hours') ?? '6');
  if (!(hours > 0)) fail(`bad --hours "${opts.get('hours')}"`);
  const stepMs = parseDurationMs(opts.get('step') ?? '30s');
  const endText = opts.get('end') ?? 'now';
  let endMs: number;
  if (endText === 'now')
    endMs = Math.floor(Date.now() / stepMs) * stepMs; // aligned: reruns share timestamps
  else {
    const seconds = Number(endText);
    if (endText.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) fail(`bad --end "${endText}"`);
    endMs = Math.round(seconds * 1000);
  }
  const window: TimeWindow = { startMs: endMs - Math.floor((hours * 3_600_000) / stepMs) * stepMs, endMs, stepMs };

  const series: RawSeries[] = [];
  for (const scenario of scenarios) series.push(...generateSeries(scenario, window));
  const fd = openSync(out, 'w');
  try {
    writeOpenMetrics(series, (chunk) => {
      writeSync(fd, chunk);
    });
  } finally {
    closeSync(fd);
  }
  process.stdout.write(`${JSON.stringify(window)}\n`);
}

main(process.argv.slice(2));
