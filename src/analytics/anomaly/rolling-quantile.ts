/**
 * Exact quantile of the last `size` values in O(log size) per update, without allocation.
 *
 * Why this structure: a sorted ring needs an O(size) memmove per point, and lazy-deletion heaps grow
 * with stale entries. Here the window's values live in one ring, and two heaps of ring slots split them
 * at the quantile (a max-heap "low" holding the smallest floor(q·(n−1))+1 values, a min-heap "high"
 * holding the rest), as in Härdle & Steiger's running median. Each slot knows its heap position, so
 * the oldest value is overwritten in place and sifted: at most one swap between the heap tops then
 * restores the split. Memory: 20 bytes per slot.
 */
export class RollingQuantile {
  private readonly vals: Float64Array;
  /** Heap position of each ring slot: p ≥ 0 is low[p], p < 0 is high[−p−1]. */
  private readonly pos: Int32Array;
  private readonly low: Int32Array;
  private readonly high: Int32Array;
  private nLow = 0;
  private nHigh = 0;
  private count = 0;
  private head = 0;

  constructor(
    readonly size: number,
    readonly q: number,
  ) {
    if (!(size >= 1) || !(q >= 0 && q <= 1)) throw new Error('RollingQuantile: size ≥ 1 and q in [0, 1]');
    this.vals = new Float64Array(size);
    this.pos = new Int32Array(size);
    this.low = new Int32Array(size);
    this.high = new Int32Array(size);
  }

  get length(): number {
    return this.count;
  }

  /** Adds a finite value, evicting the oldest once the window is full. */
  push(x: number): void {
    const slot = this.head;
    this.head = this.head + 1 === this.size ? 0 : this.head + 1;
    this.vals[slot] = x;
    if (this.count < this.size) {
      this.count++;
      if (this.nLow > 0 && x > this.vals[this.low[0]!]!) this.insertHigh(slot);
      else this.insertLow(slot);
      this.rebalance();
      return;
    }
    const p = this.pos[slot]!;
    if (p >= 0) {
      this.siftUpLow(p);
      this.siftDownLow(this.pos[slot]!);
    } else {
      this.siftUpHigh(-p - 1);
      this.siftDownHigh(-this.pos[slot]! - 1);
    }
    this.fixTops();
  }

  /** The q-quantile of the window with linear interpolation (NaN when empty). */
  value(): number {
    if (this.count === 0) return Number.NaN;
    const lo = this.vals[this.low[0]!]!;
    const h = this.q * (this.count - 1);
    const frac = h - Math.floor(h);
    if (frac === 0 || this.nHigh === 0) return lo;
    return lo + frac * (this.vals[this.high[0]!]! - lo);
  }

  stateBytes(): number {
    return this.size * 20 + 48;
  }

  private rebalance(): void {
    const target = Math.floor(this.q * (this.count - 1)) + 1;
    while (this.nLow > target) this.insertHigh(this.popLow());
    while (this.nLow < target && this.nHigh > 0) this.insertLow(this.popHigh());
  }

  private fixTops(): void {
    if (this.nLow === 0 || this.nHigh === 0) return;
    const a = this.low[0]!;
    const b = this.high[0]!;
    if (this.vals[a]! <= this.vals[b]!) return;
    this.low[0] = b;
    this.pos[b] = 0;
    this.high[0] = a;
    this.pos[a] = -1;
    this.siftDownLow(0);
    this.siftDownHigh(0);
  }

  private insertLow(slot: number): void {
    this.low[this.nLow] = slot;
    this.pos[slot] = this.nLow;
    this.siftUpLow(this.nLow++);
  }

  private insertHigh(slot: number): void {
    this.high[this.nHigh] = slot;
    this.pos[slot] = -this.nHigh - 1;
    this.siftUpHigh(this.nHigh++);
  }

  private popLow(): number {
    const top = this.low[0]!;
    const last = this.low[--this.nLow]!;
    if (this.nLow > 0) {
      this.low[0] = last;
      this.pos[last] = 0;
      this.siftDownLow(0);
    }
    return top;
  }

  private popHigh(): number {
    const top = this.high[0]!;
    const last = this.high[--this.nHigh]!;
    if (this.nHigh > 0) {
      this.high[0] = last;
      this.pos[last] = -1;
      this.siftDownHigh(0);
    }
    return top;
  }

  // Max-heap on `low`, min-heap on `high`; both move slots and keep `pos` in step.
  private siftUpLow(i: number): void {
    const { low, vals, pos } = this;
    const slot = low[i]!;
    const v = vals[slot]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = low[parent]!;
      if (vals[ps]! >= v) break;
      low[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    low[i] = slot;
    pos[slot] = i;
  }

  private siftDownLow(i: number): void {
    const { low, vals, pos } = this;
    const n = this.nLow;
    const slot = low[i]!;
    const v = vals[slot]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && vals[low[c + 1]!]! > vals[low[c]!]!) c++;
      const cs = low[c]!;
      if (vals[cs]! <= v) break;
      low[i] = cs;
      pos[cs] = i;
      i = c;
    }
    low[i] = slot;
    pos[slot] = i;
  }

  private siftUpHigh(i: number): void {
    const { high, vals, pos } = this;
    const slot = high[i]!;
    const v = vals[slot]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = high[parent]!;
      if (vals[ps]! <= v) break;
      high[i] = ps;
      pos[ps] = -i - 1;
      i = parent;
    }
    high[i] = slot;
    pos[slot] = -i - 1;
  }

  private siftDownHigh(i: number): void {
    const { high, vals, pos } = this;
    const n = this.nHigh;
    const slot = high[i]!;
    const v = vals[slot]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && vals[high[c + 1]!]! < vals[high[c]!]!) c++;
      const cs = high[c]!;
      if (vals[cs]! >= v) break;
      high[i] = cs;
      pos[cs] = -i - 1;
      i = c;
    }
    high[i] = slot;
    pos[slot] = -i - 1;
  }
}
