/**
 * Alert de-duplication in the score itself. One incident makes many consecutive points look odd, but
 * only its first sighting is news: a point keeps its full score only if its surprise L = −log10(p)
 * beats every surprise of the previous `horizon` points by `margin` (10× less likely for margin 1);
 * otherwise it is scaled down by `factor`. Whatever threshold a user later picks, an incident then
 * fires once (or again only when it gets clearly worse), and the threshold need not be known here.
 * NAB rewards exactly this: the earliest detection per window counts and every further one costs.
 */
import { RollingExtreme } from './rolling-extreme.js';

export class Suppressor {
  private readonly recent: RollingExtreme;

  constructor(
    horizon = 144,
    private readonly margin = 0,
    private readonly factor = 0.5,
  ) {
    this.recent = new RollingExtreme(horizon, 'max');
  }

  /** Takes L = −log10(p) ≥ 0 and returns the (possibly reduced) L to report. */
  apply(surprise: number): number {
    const prev = this.recent.length > 0 ? this.recent.value() : 0;
    this.recent.push(surprise);
    return surprise > prev + this.margin ? surprise : surprise * this.factor;
  }

  stateBytes(): number {
    return this.recent.stateBytes();
  }
}
