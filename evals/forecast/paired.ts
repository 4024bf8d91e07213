/**
 * Paired per-file comparison of a configuration with the production one: the geometric mean over
 * files of MASE(variant) / MASE(production), with ±2 standard errors of the mean log ratio. Less
 * noisy than a difference of medians because each file is its own control. Pure.
 */
import type { FileResult } from './report.js';
import type { Variant } from './variants.js';

export interface PairedRatio {
  variant: Variant;
  /** exp(mean log ratio). */
  geoRatio: number;
  /** exp(mean ∓ 2 s.e.). */
  low: number;
  high: number;
  /** Files where both MASEs are finite and positive. */
  files: number;
}

export function pairedRatio(files: readonly FileResult[], production: Variant, variant: Variant): PairedRatio {
  const logs: number[] = [];
  for (const f of files) {
    const base = f.scores[production]?.mase ?? Number.NaN;
    const alt = f.scores[variant]?.mase ?? Number.NaN;
    if (base > 0 && alt > 0 && Number.isFinite(base) && Number.isFinite(alt)) logs.push(Math.log(alt / base));
  }
  const n = logs.length;
  if (n === 0) return { variant, geoRatio: Number.NaN, low: Number.NaN, high: Number.NaN, files: 0 };
  const m = logs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(logs.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1)) : 0;
  const se = sd / Math.sqrt(n);
  return { variant, geoRatio: Math.exp(m), low: Math.exp(m - 2 * se), high: Math.exp(m + 2 * se), files: n };
}

/** One line per non-production configuration. */
export function formatPaired(files: readonly FileResult[], models: readonly Variant[]): string {
  const production = models[0]!;
  const lines = models.slice(1).map((v) => {
    const r = pairedRatio(files, production, v);
    return `- ${v}: ${r.geoRatio.toFixed(3)} (${r.low.toFixed(3)}–${r.high.toFixed(3)}) over ${r.files} files`;
  });
  return [`Paired geometric-mean MASE ratio vs ${production} (±2 s.e.):`, ...lines].join('\n');
}
