/**
 * Daily recurrence discount: an excursion that happens at about the same time every day (a nightly
 * batch job, a backup, a daily traffic burst) is routine, not news. Keeps per time-of-day bin the
 * largest surprise seen there recently (fading on every visit), and reports a surprise at full size
 * only when it exceeds what this time of day (± one bin) has produced before.
 */
const DAY_MS = 86_400_000;

export class RecurrenceFilter {
  private readonly peak: Float64Array;

  constructor(
    private readonly bins = 96,
    private readonly fade = 0.97,
    private readonly factor = 0.5,
  ) {
    this.peak = new Float64Array(bins);
  }

  /** Takes a surprise L ≥ 0 at `time` and returns it, reduced if this time of day has seen as much. */
  apply(time: number, surprise: number): number {
    if (!Number.isFinite(time)) return surprise;
    const n = this.bins;
    const phase = ((time % DAY_MS) + DAY_MS) % DAY_MS;
    const b = Math.min(Math.floor((phase / DAY_MS) * n), n - 1);
    const routine = Math.max(this.peak[(b + n - 1) % n]!, this.peak[b]!, this.peak[(b + 1) % n]!);
    this.peak[b] = Math.max(surprise, this.peak[b]! * this.fade);
    return surprise > routine ? surprise : surprise * this.factor;
  }

  stateBytes(): number {
    return this.bins * 8;
  }
}
