/**
 * Rolling maximum (or minimum) of the last `size` values with a monotonic deque: each value enters and
 * leaves the deque once, so updates are amortised O(1). The ring buffers have a power-of-two capacity
 * (indices are masked, no integer division per point) and hold the value next to its arrival number,
 * so memory is 16 bytes per slot of capacity.
 */
export class RollingExtreme {
  /** Values of the deque, oldest first from `head` (ring of `mask + 1` slots). */
  private readonly vals: Float64Array;
  /** Arrival number of each deque entry (exact integers in a double: no wrap for 2^53 points). */
  private readonly idx: Float64Array;
  private readonly mask: number;
  /** +1 for a maximum, −1 for a minimum: the deque keeps sign·value strictly decreasing. */
  private readonly sign: number;
  private head = 0;
  private len = 0;
  private t = 0;

  constructor(
    readonly size: number,
    kind: 'max' | 'min',
  ) {
    if (!(size >= 1) || !Number.isInteger(size)) throw new Error(`RollingExtreme size must be a positive integer, got ${size}`);
    let cap = 1;
    while (cap < size) cap *= 2;
    this.vals = new Float64Array(cap);
    this.idx = new Float64Array(cap);
    this.mask = cap - 1;
    this.sign = kind === 'max' ? 1 : -1;
  }

  /** Number of values in the window (at most `size`). */
  get length(): number {
    return this.t < this.size ? this.t : this.size;
  }

  /** The extreme of the window (NaN when empty). */
  value(): number {
    return this.len === 0 ? Number.NaN : this.vals[this.head]!;
  }

  push(x: number): void {
    const t = this.t++;
    const mask = this.mask;
    let head = this.head;
    let len = this.len;
    if (len > 0 && t - this.idx[head]! >= this.size) {
      head = (head + 1) & mask;
      len--;
    }
    const sx = this.sign * x;
    while (len > 0 && !(this.sign * this.vals[(head + len - 1) & mask]! > sx)) len--;
    const slot = (head + len) & mask;
    this.vals[slot] = x;
    this.idx[slot] = t;
    this.head = head;
    this.len = len + 1;
  }

  stateBytes(): number {
    return (this.mask + 1) * 16 + 48;
  }
}
