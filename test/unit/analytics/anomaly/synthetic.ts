/** Seeded synthetic series for detector tests (5-minute steps, Gaussian-ish noise). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export function gaussian(rand: () => number): number {
  return rand() + rand() + rand() + rand() + rand() + rand() - 3; // Irwin–Hall, σ ≈ 0.71
}

export const STEP_MS = 300_000;
export const T0 = Date.UTC(2024, 0, 1);

export function series(n: number, f: (i: number, noise: number) => number, seed = 1): { times: Float64Array; values: Float64Array } {
  const rand = rng(seed);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    times[i] = T0 + i * STEP_MS;
    values[i] = f(i, gaussian(rand));
  }
  return { times, values };
}

export function maxOf(xs: ArrayLike<number>, from: number, to: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) m = Math.max(m, xs[i]!);
  return m;
}

/** Business-like series: a daily cycle on weekdays, low and flat at weekends (T0 is a Monday). */
export function weekly(i: number, noise: number): number {
  const weekend = Math.floor(i / 288) % 7 >= 5;
  return weekend ? 20 + 2 * noise : 100 + 40 * Math.sin((2 * Math.PI * i) / 288) + 2 * noise;
}
