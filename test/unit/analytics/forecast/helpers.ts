/** Synthetic series with known answers for the forecasting tests. */
import { seededRandom } from '../../../../src/analytics/forecast/stats.js';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 1);

/** `n` points every `stepMs` from T0 with value `f(i, tMs)`. */
export function makeSeries(n: number, stepMs: number, f: (i: number, t: number) => number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([T0 + i * stepMs, f(i, T0 + i * stepMs)]);
  return out;
}

/** Seeded Gaussian noise generator (Box-Muller) so tests are deterministic. */
export function gaussian(seed: number): () => number {
  const random = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
