/**
 * Float64 storage handed out as views of a few large blocks. Allocating one small typed array costs far
 * more than filling it (each gets its own off-heap backing store), and a workspace has hundreds of series;
 * carving them out of shared blocks keeps generation in the low milliseconds.
 */
const BLOCK_DOUBLES = 1 << 17; // 1 MiB

export class Float64Arena {
  private block = new Float64Array(0);
  private used = 0;

  /** A zero-filled view of `length` doubles, valid for as long as the caller keeps it. */
  alloc(length: number): Float64Array {
    if (length > BLOCK_DOUBLES) return new Float64Array(length);
    if (this.used + length > this.block.length) {
      this.block = new Float64Array(BLOCK_DOUBLES);
      this.used = 0;
    }
    const view = this.block.subarray(this.used, this.used + length);
    this.used += length;
    return view;
  }
}
