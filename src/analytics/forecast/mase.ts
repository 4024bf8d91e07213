/**
 * Mean Absolute Scaled Error (Hyndman & Koehler, 2006): forecast MAE divided by the in-sample MAE
 * of the seasonal-naive one-step forecast on the training data. Below 1 means the forecast beats
 * what the naive method achieved in sample.
 */

/**
 * In-sample seasonal-naive MAE: mean |y[t] − y[t − period]| over pairs where both are finite
 * (period 1 = naive). NaN when no pair exists.
 */
export function seasonalNaiveScale(training: ArrayLike<number>, period: number): number {
  let sum = 0;
  let count = 0;
  for (let t = period; t < training.length; t++) {
    const a = training[t]!;
    const b = training[t - period]!;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      sum += Math.abs(a - b);
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}

/**
 * MASE of `predicted` against `actual` (pairs with a non-finite actual are skipped) with the given
 * scale. NaN when nothing is comparable or the scale is not positive (a constant training series).
 */
export function mase(actual: ArrayLike<number>, predicted: ArrayLike<number>, scale: number): number {
  if (!(scale > 0)) return Number.NaN;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const p = predicted[i]!;
    if (Number.isFinite(a) && Number.isFinite(p)) {
      sum += Math.abs(a - p);
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count / scale;
}
