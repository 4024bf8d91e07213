/**
 * Turns surprise models into a detector: calibrate each model's surprise to a tail probability
 * (calibrate.ts), combine, discount what recurs daily (recurrence.ts), de-duplicate (suppress.ts),
 * map to [0, 1).
 *
 * Combination: the smallest member tail probability times the number of members (Bonferroni). The
 * members look for different things, so one confident member should be enough, and the correction
 * keeps an ensemble of k members from alerting k times as often as one.
 */
import { scoreFromSurprise, surpriseOf, TailCalibrator } from './calibrate.js';
import { RecurrenceFilter } from './recurrence.js';
import { Suppressor } from './suppress.js';
import { PointwiseDetector, type SurpriseModel } from './types.js';

export class CalibratedEnsemble extends PointwiseDetector {
  private readonly calibrators: TailCalibrator[];
  private readonly recurrence = new RecurrenceFilter();
  private readonly suppressor: Suppressor;

  constructor(
    private readonly models: SurpriseModel[],
    suppressHorizon = 144,
  ) {
    super();
    this.calibrators = models.map(() => new TailCalibrator());
    this.suppressor = new Suppressor(suppressHorizon);
  }

  update(time: number, value: number): number {
    if (!Number.isFinite(value)) return 0; // missing value: nothing learned, nothing reported
    let pMin = 1;
    for (let i = 0; i < this.models.length; i++) {
      const p = this.calibrators[i]!.update(this.models[i]!.surprise(time, value));
      if (p < pMin) pMin = p;
    }
    const surprise = surpriseOf(Math.min(1, pMin * this.models.length));
    return scoreFromSurprise(this.suppressor.apply(this.recurrence.apply(time, surprise)));
  }

  stateBytes(): number {
    let bytes = this.suppressor.stateBytes() + this.recurrence.stateBytes();
    for (let i = 0; i < this.models.length; i++) bytes += this.models[i]!.stateBytes() + this.calibrators[i]!.stateBytes();
    return bytes;
  }
}
