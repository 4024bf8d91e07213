/**
 * The Theta method (Assimakopoulos & Nikolopoulos, 2000), in its SES-with-drift form (Hyndman &
 * Billah, 2003): simple exponential smoothing of the (deseasonalised) series plus half the slope of
 * a least-squares line. It won the M3 competition's monthly data and is a standard member of
 * forecast combinations: it reacts to level shifts like SES yet keeps a mild global drift.
 *
 * Season: additive, the per-phase median of the series minus its centred one-season moving average
 * (robust to spikes), removed before smoothing and added back to the forecasts.
 * α is chosen on a fixed grid by the in-sample one-step absolute error (spikes must not drive it).
 */
import { bandForecast, type FittedModel, residualBand } from './model.js';
import { subtractMovingAverage } from './seasonality.js';
import { median } from './stats.js';

const ALPHAS = [0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1];

/** Fits Theta; null with fewer than 3 finite points. The season needs two full cycles to be used. */
export function fitTheta(values: Float64Array, options: { period?: number | null } = {}): FittedModel | null {
  const n = values.length;
  const period = options.period != null && options.period >= 2 && n >= 2 * options.period ? options.period : null;
  const profile = period ? seasonalIndices(values, period) : null;
  const x = profile ? values.map((v, i) => v - profile[i % period!]!) : values;
  const slope = leastSquaresSlope(x);
  if (slope === null) return null;
  const drift = slope / 2;
  let best = { alpha: 1, loss: Infinity };
  for (const alpha of ALPHAS) {
    const loss = runSes(x, alpha, drift, null).loss;
    if (loss < best.loss) best = { alpha, loss };
  }
  const residuals = new Float64Array(n);
  const level = runSes(x, best.alpha, drift, residuals).level;
  const alpha = best.alpha;
  return {
    name: 'theta',
    seasonPeriod: period,
    params: { alpha, drift, period: period ?? 0 },
    residuals,
    predict(horizon, lvl) {
      const mean = new Float64Array(horizon);
      for (let h = 1; h <= horizon; h++) {
        mean[h - 1] = level + drift * (h - 1 + 1 / alpha) + (profile ? profile[(n - 1 + h) % period!]! : 0);
      }
      // SES forecast-variance multiplier 1 + (h − 1)α².
      return bandForecast(mean, residualBand(residuals, lvl), (h) => Math.sqrt(1 + (h - 1) * alpha * alpha));
    },
  };
}

/** SES; the one-step forecast is ℓ + drift/α (the Theta forecast at h = 1 for large n). */
function runSes(x: Float64Array, alpha: number, drift: number, residuals: Float64Array | null): { loss: number; level: number } {
  let level = Number.NaN;
  let loss = 0;
  for (let t = 0; t < x.length; t++) {
    const y = x[t]!;
    if (!Number.isFinite(y)) {
      if (residuals) residuals[t] = Number.NaN;
      continue;
    }
    if (Number.isNaN(level)) {
      level = y;
      if (residuals) residuals[t] = Number.NaN;
      continue;
    }
    // Plain SES level; on a ramp it lags by drift·(1/α − 1), which the drift/α term makes up.
    const predicted = level + drift / alpha;
    const error = y - predicted;
    if (residuals) residuals[t] = error;
    loss += Math.abs(error);
    level += alpha * (y - level);
  }
  return { loss, level };
}

function leastSquaresSlope(x: Float64Array): number | null {
  let n = 0;
  let st = 0;
  let sx = 0;
  for (let t = 0; t < x.length; t++) {
    if (!Number.isFinite(x[t]!)) continue;
    n++;
    st += t;
    sx += x[t]!;
  }
  if (n < 3) return null;
  const mt = st / n;
  const mx = sx / n;
  let num = 0;
  let den = 0;
  for (let t = 0; t < x.length; t++) {
    if (!Number.isFinite(x[t]!)) continue;
    num += (t - mt) * (x[t]! - mx);
    den += (t - mt) * (t - mt);
  }
  return den > 0 ? num / den : 0;
}

/** Per-phase median deviation from the centred moving average, centred to median zero. */
function seasonalIndices(values: Float64Array, period: number): Float64Array {
  const detrended = subtractMovingAverage(values, period);
  const buckets: number[][] = Array.from({ length: period }, () => []);
  detrended.forEach((v, i) => {
    if (Number.isFinite(v)) buckets[i % period]!.push(v);
  });
  const profile = Float64Array.from(buckets, (b) => (b.length > 0 ? median(b) : 0));
  const offset = median(profile);
  return profile.map((p) => p - offset);
}
