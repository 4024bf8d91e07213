/**
 * Latency distribution of an HTTP workload: log-normal around the median the model gives, the usual
 * shape of service latency. Bucket fractions feed the cumulative `_bucket` counters.
 */

/** Spread of log latency: p95 ≈ 2.5 × median, p99 ≈ 3.6 × median. */
export const LATENCY_SIGMA = 0.55;

/** exp(σ²/2): mean over median of the log-normal, for `_sum`. */
export const MEAN_OVER_MEDIAN = Math.exp((LATENCY_SIGMA * LATENCY_SIGMA) / 2);

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): plenty for bucket fractions. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}

/**
 * Share of requests at or under `le` seconds when the median latency is `median` seconds, given
 * their logarithms (callers hoist the logs out of their loops).
 */
export function fractionUnderLog(logLe: number, logMedian: number): number {
  if (!(logMedian > Number.NEGATIVE_INFINITY)) return 1; // no latency at all (median 0 or NaN)
  const z = (logLe - logMedian) / (LATENCY_SIGMA * Math.SQRT2);
  return Math.min(1, Math.max(0, 0.5 * (1 + erf(z))));
}
