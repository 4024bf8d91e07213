/**
 * npm run bench — single-core throughput of each streaming detector and of the default ensemble, next to
 * a plain Float64Array pass over the same data in the same run (an exponentially weighted mean/variance
 * update per point, i.e. the cheapest thing a streaming detector could possibly do), plus bytes of
 * state per series. Every detector run uses a fresh detector and is paired with a plain pass timed just
 * before it (the median of PLAIN_PASSES back-to-back passes, so one preempted pass does not skew it); the
 * slowdown reported is the median over repetitions of these paired ratios, so drift in machine load
 * between repetitions (the machine is shared) cancels out. Rates are medians too. The default ensemble is
 * measured twice: per point through `update()` (a call per point, as a live stream feeds it) and in one
 * `scoreInto()` call over the whole array (how batch callers score a series); the summary states for each
 * path whether it meets the target.
 */
import { createDetector, DEFAULT_DETECTOR, detectorNames } from '../src/analytics/anomaly/index.js';

const POINTS = Number(process.env.BENCH_POINTS ?? 500_000);
const REPS = Number(process.env.BENCH_REPS ?? 15);
const PLAIN_PASSES = Number(process.env.BENCH_PLAIN_PASSES ?? 5);

/** A realistic stream: daily cycle + noise + occasional spikes, 5-minute steps, with a few NaNs. */
function makeSeries(n: number): { times: Float64Array; values: Float64Array } {
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    times[i] = 1_600_000_000_000 + i * 300_000;
    const noise = (rand() + rand() + rand() - 1.5) * 4;
    values[i] = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + noise + (rand() < 0.001 ? 60 : 0);
    if (rand() < 0.0005) values[i] = Number.NaN;
  }
  return { times, values };
}

/** The baseline: EW mean and variance of the value (guards NaN like the detectors do). */
function plainPass(values: Float64Array): number {
  let mean = 0;
  let variance = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x !== x) continue;
    const d = x - mean;
    mean += 0.01 * d;
    variance = 0.99 * (variance + 0.01 * d * d);
  }
  return mean + variance;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => number): { seconds: number; sink: number } {
  const t0 = process.hrtime.bigint();
  const sink = fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, sink };
}

/** Seconds of one plain pass: the median of PLAIN_PASSES consecutive passes. */
function plainSeconds(values: Float64Array, sinks: { sink: number }): number {
  const seconds: number[] = [];
  for (let k = 0; k < PLAIN_PASSES; k++) {
    const p = time(() => plainPass(values));
    seconds.push(p.seconds);
    sinks.sink += p.sink;
  }
  return median(seconds);
}

/** One row of the table: a detector scored point by point with `update`, or in one `scoreInto` call. */
interface Case {
  label: string;
  name: string;
  batch: boolean;
}

function main(): void {
  const { times, values } = makeSeries(POINTS);
  const out = new Float64Array(POINTS);
  const sinks = { sink: 0 };
  const plain: number[] = [];
  // The default ensemble twice (per-point update and batch scoreInto), every other detector per point.
  const cases: Case[] = [
    { label: `${DEFAULT_DETECTOR}, update() per point`, name: DEFAULT_DETECTOR, batch: false },
    { label: `${DEFAULT_DETECTOR}, scoreInto() batch`, name: DEFAULT_DETECTOR, batch: true },
    ...detectorNames.filter((n) => n !== DEFAULT_DETECTOR).map((name) => ({ label: name, name, batch: false })),
  ];
  const rows: { label: string; rate: number; ratio: number; bytes: number }[] = [];
  const runs = new Map<string, { rates: number[]; ratios: number[] }>(cases.map((c) => [c.label, { rates: [], ratios: [] }]));
  for (let rep = 0; rep < REPS; rep++) {
    // Interleave everything in each repetition, and pair each detector run with a plain pass just before it.
    for (const c of cases) {
      const base = plainSeconds(values, sinks);
      plain.push(POINTS / base);
      const d = createDetector(c.name);
      const r = c.batch
        ? time(() => {
            d.scoreInto(times, values, out);
            return 0;
          })
        : time(() => {
            let acc = 0;
            for (let i = 0; i < POINTS; i++) acc += d.update(times[i]!, values[i]!);
            return acc;
          });
      if (c.batch) for (let i = 0; i < POINTS; i++) r.sink += out[i]!; // untimed: keeps the batch output observable
      const run = runs.get(c.label)!;
      run.rates.push(POINTS / r.seconds);
      run.ratios.push(r.seconds / base);
      sinks.sink += r.sink;
      if (rep === 0) rows.push({ label: c.label, rate: 0, ratio: 0, bytes: d.stateBytes() });
    }
    process.stderr.write(`\rrepetition ${rep + 1}/${REPS}`);
  }
  process.stderr.write('\n');
  const plainRate = median(plain);
  for (const row of rows) {
    row.rate = median(runs.get(row.label)!.rates);
    row.ratio = median(runs.get(row.label)!.ratios);
  }
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  console.log(`${POINTS.toLocaleString('en-US')} points per run, median of ${REPS} runs, one core (node ${process.version})`);
  console.log(`plain pass (EW mean/variance update over a Float64Array): ${fmt(plainRate)} points/s`);
  console.log('');
  console.log('| detector | points/s | slowdown vs plain pass (median of paired runs) | state bytes per series |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${fmt(r.rate)} | ${r.ratio.toFixed(1)}× | ${fmt(r.bytes)} |`);
  console.log('');
  // Both paths of the default ensemble against the target, each stated on its own line.
  for (const r of rows.slice(0, 2)) {
    const ok = r.rate >= 1_000_000 && r.ratio <= 30;
    console.log(
      `${r.label}: ${fmt(r.rate)} points/s, ${r.ratio.toFixed(1)}× the plain pass — target ≥ 1,000,000 points/s and ≤ 30×: ${ok ? 'met' : 'NOT met'}`,
    );
  }
  if (sinks.sink === 42) console.log(''); // keeps the work observable so it is not optimised away
}

main();
