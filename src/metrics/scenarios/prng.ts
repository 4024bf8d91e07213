/**
 * Deterministic randomness without state. Every random quantity is a pure hash of (seed, what it is
 * for, absolute time), never the next draw of a stream: that is what lets any sub-window of a scenario
 * reproduce exactly the values of a larger window at the shared timestamps.
 */

/** FNV-1a over UTF-16 code units: a stable 32-bit key for a series or an entity name. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser over a combined pair: good avalanche, cheap, 32-bit unsigned out. */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b >>> 0, 0x9e3779b1)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A key for (seed, name), used as the root of all randomness of one series or entity. */
export function keyOf(seed: number, name: string): number {
  return mix(seed >>> 0, hashString(name));
}

/** Hash of a key and an absolute time; ms timestamps exceed 32 bits, so both halves are mixed in. */
export function hashAt(key: number, timeMs: number): number {
  const t = Math.round(timeMs);
  return mix(mix(key, t >>> 0), Math.floor(t / 4294967296));
}

/** Uniform in [0, 1) from a 32-bit hash. */
export function unit(hash: number): number {
  return hash / 4294967296;
}

/**
 * Roughly standard-normal noise at a time: the sum of the four bytes of one hash (Irwin-Hall with four
 * terms), rescaled. Bounded to ±3.46, which keeps generated values inside the limits the scenarios
 * promise; one hash per value keeps the first, unoptimised call cheap too.
 */
export function whiteNoise(key: number, timeMs: number): number {
  const h = hashAt(key, timeMs);
  const sum = (h & 0xff) + ((h >>> 8) & 0xff) + ((h >>> 16) & 0xff) + (h >>> 24);
  // Four uniforms on 0..255 (mean 510, variance 4 × (256² − 1) / 12) scaled to unit variance.
  return (sum - 510) / 147.8;
}

/**
 * Smooth noise in about [-1, 1]: random values on an absolute grid of `periodMs`, cosine-interpolated.
 * Gives the slow wander real metrics have (a few minutes of "busier than usual") on top of white noise.
 */
export function smoothNoise(key: number, timeMs: number, periodMs: number): number {
  const cell = Math.floor(timeMs / periodMs);
  const frac = (timeMs - cell * periodMs) / periodMs;
  const a = unit(hashAt(key, cell)) * 2 - 1;
  const b = unit(hashAt(key, cell + 1)) * 2 - 1;
  const w = (1 - Math.cos(Math.PI * frac)) / 2;
  return a + (b - a) * w;
}

const DAY_MS = 86_400_000;

/** Daily load factor: 1 ± amplitude, peaking at 12:00 UTC and lowest at 00:00 UTC. */
export function seasonal(timeMs: number, amplitude = 0.3): number {
  const dayFraction = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
  return 1 + amplitude * Math.sin(2 * Math.PI * (dayFraction - 0.25));
}

/**
 * Integer increment with a deterministic dither: floor(x + u), u uniform from the hash. Its mean is x,
 * and because u depends only on the absolute time, two windows produce the same integer increments, so
 * integer counters give identical rates whatever window generated them.
 */
export function ditherRound(x: number, key: number, timeMs: number): number {
  return Math.floor(x + unit(hashAt(key ^ 0x5bd1e995, timeMs)));
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A Kubernetes-style random name fragment (pod-template-hash / pod suffix alphabet). */
export function nameFragment(key: number, length: number): string {
  let out = '';
  let h = key;
  for (let i = 0; i < length; i++) {
    h = mix(h, i + 1);
    out += NAME_ALPHABET.charAt(h % NAME_ALPHABET.length);
  }
  return out;
}
