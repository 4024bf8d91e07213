/**
 * `npx tsx evals/forecast/bench.ts`: wall time of `forecast()` ('auto', 1-hour horizon) over a batch
 * of synthetic 5-minute series the size an analysis sends (default 100 series × 2 days), for the
 * production strategy and the alternatives studied in evals/forecast/README.md, interleaved in the
 * same process; median of several runs.
 * Usage: tsx evals/forecast/bench.ts [series] [points] [runs]
 */
import { DEFAULT_AUTO, forecastWith } from '../../src/analytics/forecast/forecast.js';
import { type AutoStrategy, autoStrategies } from '../../src/analytics/forecast/strategies.js';
import { median, seededRandom } from '../../src/analytics/forecast/stats.js';

const [seriesCount = 100, points = 576, runs = 5] = process.argv.slice(2).map(Number);
const random = seededRandom(1);
const batch = Array.from({ length: seriesCount }, (_, s) => {
  const times = Array.from({ length: points }, (_, i) => i * 300_000);
  let level = 50 + s;
  const values = times.map((_, i) => {
    if (random() < 0.002) level += 20 * (random() - 0.5); // occasional level shift
    return level + 10 * Math.sin((2 * Math.PI * i) / 288) + 3 * (random() - 0.5) + (random() < 0.01 ? 30 : 0);
  });
  return { times, values };
});

const strategies: Record<string, AutoStrategy> = {
  production: DEFAULT_AUTO,
  'select-16': autoStrategies['select-16'],
  'select-or-median': autoStrategies['select-or-median'],
  'median-all': autoStrategies['median-all'],
};
const times: Record<string, number[]> = {};
for (let r = 0; r < runs; r++) {
  for (const [name, strategy] of Object.entries(strategies)) {
    const t0 = performance.now();
    for (const series of batch) forecastWith(series, { horizonMs: 3_600_000 }, strategy);
    (times[name] ??= []).push(performance.now() - t0);
  }
}
const base = median(times['production']!);
process.stdout.write(`${seriesCount} series × ${points} points, 'auto' at 1 h, median of ${runs} runs (ms):\n`);
for (const [name, t] of Object.entries(times)) {
  process.stdout.write(
    `  ${name.padEnd(18)} ${median(t).toFixed(0).padStart(6)}  ${(median(t) / base).toFixed(2)}×  (runs ${t.map((x) => x.toFixed(0)).join(', ')})\n`,
  );
}
