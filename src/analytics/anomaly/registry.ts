/**
 * Detectors by name, so a CLI flag or an API parameter can pick one. `default` is the production
 * ensemble and the only configuration that is evaluated and shipped; the single-model entries exist
 * to measure each member on its own (same calibration and de-duplication, one model).
 */
import { AdaptiveSeasonalModel } from './adaptive-seasonal.js';
import { ChangePointModel } from './change-point.js';
import { DefaultDetector } from './default-detector.js';
import { CalibratedEnsemble } from './detector.js';
import { RangeBreakoutModel } from './range-breakout.js';
import { RateOfChangeModel } from './rate-of-change.js';
import { RobustLevelModel } from './robust-level.js';
import { SeasonalModel } from './seasonal.js';
import { DEFAULT_OPTIONS, type DetectorOptions, type StreamingDetector, type SurpriseModel } from './types.js';
import { VolatilityShiftModel } from './volatility-shift.js';

const MODELS = {
  'robust-level': (o: DetectorOptions) => new RobustLevelModel(o),
  seasonal: (o: DetectorOptions) => new SeasonalModel(o),
  'adaptive-seasonal': (o: DetectorOptions) => new AdaptiveSeasonalModel(o),
  'change-point': (o: DetectorOptions) => new ChangePointModel(o),
  'rate-of-change': (o: DetectorOptions) => new RateOfChangeModel(o),
  'volatility-shift': (o: DetectorOptions) => new VolatilityShiftModel(o),
  'range-breakout': (o: DetectorOptions) => new RangeBreakoutModel(o),
} satisfies Record<string, (o: DetectorOptions) => SurpriseModel>;

type ModelName = keyof typeof MODELS;

/**
 * Members of the default ensemble. `DefaultDetector` is this ensemble fused into one class for speed;
 * `referenceDefault` builds the generic version, which must score identically (tested).
 */
const DEFAULT_MEMBERS: ModelName[] = ['adaptive-seasonal', 'range-breakout'];

/** The default ensemble built from the generic parts (the reference the fused detector is tested against). */
export function referenceDefault(options: Partial<DetectorOptions> = {}): StreamingDetector {
  const opts: DetectorOptions = { ...DEFAULT_OPTIONS, ...options };
  return new CalibratedEnsemble(DEFAULT_MEMBERS.map((m) => MODELS[m](opts)));
}

export const DEFAULT_DETECTOR = 'default';

/** Every name `createDetector` accepts, default first. */
export const detectorNames: readonly string[] = [DEFAULT_DETECTOR, ...Object.keys(MODELS)];

export function isDetectorName(name: string): boolean {
  return detectorNames.includes(name);
}

/** A fresh detector for one series. Throws on an unknown name (see `detectorNames`). */
export function createDetector(name: string = DEFAULT_DETECTOR, options: Partial<DetectorOptions> = {}): StreamingDetector {
  const opts: DetectorOptions = { ...DEFAULT_OPTIONS, ...options };
  if (name === DEFAULT_DETECTOR) return new DefaultDetector(opts);
  if (Object.hasOwn(MODELS, name)) return new CalibratedEnsemble([MODELS[name as ModelName](opts)]);
  throw new Error(`unknown detector "${name}"; choose one of: ${detectorNames.join(', ')}`);
}

/** Scores a whole series in order with a fresh detector (convenience for batch callers and tests), in one `scoreInto` call. */
export function scoreSeries(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  name?: string,
  options?: Partial<DetectorOptions>,
): Float64Array {
  const detector = createDetector(name, options);
  const n = values.length;
  const out = new Float64Array(n);
  const t = times instanceof Float64Array && times.length === n ? times : Float64Array.from({ length: n }, (_, i) => times[i]!);
  const v = values instanceof Float64Array ? values : Float64Array.from(values);
  detector.scoreInto(t, v, out);
  return out;
}
