/**
 * Generic anomaly-free series (none of them a NAB file): the shapes a detector meets in production and
 * must not page on — flat lines, quantised noise, square waves, cron-like spikes, sparse counts, heavy
 * tails, random walks. Seeded, so every run sees the same values. 5-minute steps.
 */
import { seededRandom } from '../../src/analytics/forecast/stats.js';

export const NULL_STEP_MS = 300_000;
const T0 = Date.UTC(2014, 3, 1);

type Draw = { rand: () => number; gauss: () => number; poisson: (l: number) => number };
type Gen = (i: number, prev: number, d: Draw) => number;

function draws(seed: number): Draw {
  const rand = seededRandom(seed);
  const gauss = (): number => {
    let x = 0;
    for (let k = 0; k < 12; k++) x += rand();
    return x - 6; // Irwin–Hall, σ = 1
  };
  const poisson = (l: number): number => {
    let k = 0;
    let p = Math.exp(-l);
    let c = p;
    const u = rand();
    while (u > c && k < 1000) {
      k++;
      p *= l / k;
      c += p;
    }
    return k;
  };
  return { rand, gauss, poisson };
}

const dayPhase = (i: number): number => ((i * NULL_STEP_MS) % 86_400_000) / 86_400_000;

export const NULL_SERIES: Readonly<Record<string, Gen>> = {
  flat: () => 42,
  'flat + tiny noise': (_i, _p, d) => 42 + 1e-6 * d.gauss(),
  'flat, noise quantised to 0.01': (_i, _p, d) => Math.round((20 + 0.02 * d.gauss()) * 100) / 100,
  'daily square wave': (i) => (dayPhase(i) < 0.5 ? 10 : 80),
  'daily square wave + noise': (i, _p, d) => (dayPhase(i) < 0.5 ? 10 : 80) + d.gauss(),
  'daily sawtooth': (i) => 100 * dayPhase(i),
  'daily sine + noise': (i, _p, d) => 50 + 20 * Math.sin(2 * Math.PI * dayPhase(i)) + 2 * d.gauss(),
  'hourly spikes (cron)': (i, _p, d) => (i % 12 === 0 ? 90 : 10) + d.gauss(),
  'spikes every 7 hours': (i, _p, d) => (i % 84 === 0 ? 90 : 10) + d.gauss(),
  'poisson counts, mean 0.3': (_i, _p, d) => d.poisson(0.3),
  'poisson counts, mean 5': (_i, _p, d) => d.poisson(5),
  'lognormal (heavy right tail)': (_i, _p, d) => Math.exp(d.gauss()),
  'random walk': (_i, prev, d) => prev + d.gauss(),
  'AR(1), φ 0.99': (_i, prev, d) => 0.99 * prev + d.gauss(),
  'on/off duty cycle, random lengths': (_i, prev, d) => (d.rand() < 0.01 ? (prev > 50 ? 10 : 90) : prev > 50 ? 90 : 10),
  'scale mixture (heavy both tails)': (_i, _p, d) => 50 + d.gauss() / Math.sqrt(d.rand() + 0.05),
  'integers 1–3': (_i, _p, d) => 1 + Math.floor(d.rand() * 3),
  'zeros with a rare 1 (2 %)': (_i, _p, d) => (d.rand() < 0.02 ? 1 : 0),
};

/** One generated series of `n` points (the same for the same name, n and seed). */
export function nullSeries(name: string, n: number, seed = 7): { times: Float64Array; values: Float64Array } {
  const gen = NULL_SERIES[name];
  if (!gen) throw new Error(`unknown null series "${name}"; choose from ${Object.keys(NULL_SERIES).join(', ')}`);
  const d = draws(seed);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  let prev = 50;
  for (let i = 0; i < n; i++) {
    times[i] = T0 + i * NULL_STEP_MS;
    prev = values[i] = gen(i, prev, d);
  }
  return { times, values };
}
