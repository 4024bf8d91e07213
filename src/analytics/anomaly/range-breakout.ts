/**
 * Range breakout: how far the point lies outside the range of the last `window` points, relative to
 * that range. "Higher than anything seen for days" is the most common sign of a real incident on
 * operational metrics (Numenta's HTM detector uses the same test as its "spatial anomaly").
 */
import { RollingExtreme } from './rolling-extreme.js';
import { directed, type DetectorOptions, type SurpriseModel } from './types.js';

export class RangeBreakoutModel implements SurpriseModel {
  private readonly hi: RollingExtreme;
  private readonly lo: RollingExtreme;

  constructor(
    private readonly opts: DetectorOptions,
    window = 2048,
  ) {
    this.hi = new RollingExtreme(window, 'max');
    this.lo = new RollingExtreme(window, 'min');
  }

  surprise(_time: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    let z = 0;
    if (this.hi.length >= 16) {
      const hi = this.hi.value();
      const lo = this.lo.value();
      const range = Math.max(hi - lo, 1e-12 * Math.abs(hi), 1e-9);
      const dev = value > hi ? value - hi : value < lo ? value - lo : 0;
      if (dev !== 0) z = directed(dev, range, this.opts);
    }
    this.hi.push(value);
    this.lo.push(value);
    return z;
  }

  stateBytes(): number {
    return this.hi.stateBytes() + this.lo.stateBytes();
  }
}
