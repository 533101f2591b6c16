/**
 * Bounded byte collection for partial protocol units (lines, header blocks, bodies).
 * Every accumulator draws on one MemoryBudget per AppLayer, so a flood of flows that each
 * leave a megabyte half-sent cannot grow memory past the budget: what does not fit is cut
 * and counted, never buffered.
 */

export class MemoryBudget {
  used = 0;
  /** Bytes refused because the budget was exhausted. */
  deniedBytes = 0;
  constructor(readonly cap: number) {}

  tryReserve(n: number): boolean {
    if (this.used + n > this.cap) return false;
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used -= n;
    if (this.used < 0) this.used = 0;
  }
}

import { copyOut } from './bytes.js';

const MIN_CAPACITY = 256;
const UNPOOLED = 4096;

/**
 * Storage that is about to be overwritten need not be zeroed: large blocks come from
 * Buffer.allocUnsafeSlow (own ArrayBuffer, no pool), viewed as a plain Uint8Array so that
 * slice() keeps copying as consumers expect.
 */
function allocBytes(n: number): Uint8Array {
  if (n < UNPOOLED) return new Uint8Array(n);
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

export class ByteAccumulator {
  private buf: Uint8Array | null = null;
  private len = 0;
  /** Bytes offered beyond the limit (or refused by the budget) since the last reset. */
  cut = 0;
  /** True when some of the cut was the budget's doing rather than the limit's. */
  budgetCut = false;

  constructor(
    private readonly budget: MemoryBudget,
    /** Hard limit on bytes kept. */
    public limit: number,
  ) {}

  get length(): number {
    return this.len;
  }

  get full(): boolean {
    return this.len >= this.limit;
  }

  /** Appends src[start..end) as far as the limit and budget allow; returns the bytes kept. */
  append(src: Uint8Array, start: number, end: number): number {
    let n = end - start;
    if (n <= 0) return 0;
    const room = this.limit - this.len;
    if (n > room) {
      this.cut += n - room;
      n = room;
      if (n <= 0) return 0;
    }
    const need = this.len + n;
    if (this.buf === null || need > this.buf.length) {
      const got = this.grow(need);
      if (got < need) {
        const kept = got - this.len;
        this.cut += n - kept;
        this.budgetCut = true;
        n = kept;
        if (n <= 0) return 0;
      }
    }
    // Whole-chunk appends (bodies) skip creating a view of the source.
    this.buf!.set(start === 0 && n === src.length ? src : src.subarray(start, start + n), this.len);
    this.len += n;
    return n;
  }

  appendByte(b: number): void {
    if (this.len >= this.limit) {
      this.cut++;
      return;
    }
    if (this.buf === null || this.len + 1 > this.buf.length) {
      if (this.grow(this.len + 1) < this.len + 1) {
        this.cut++;
        this.budgetCut = true;
        return;
      }
    }
    this.buf![this.len++] = b;
  }

  /** Grows capacity to at least `need` (doubling, within limit and budget); returns the capacity. */
  private grow(need: number): number {
    const cur = this.buf === null ? 0 : this.buf.length;
    let cap = Math.max(MIN_CAPACITY, cur * 2, need);
    if (cap > this.limit) cap = Math.max(need, this.limit);
    let delta = cap - cur;
    if (!this.budget.tryReserve(delta)) {
      // Fall back to the exact need, then to whatever is left in the budget.
      cap = need;
      delta = cap - cur;
      if (!this.budget.tryReserve(delta)) {
        const left = this.budget.cap - this.budget.used;
        if (left <= 0) return cur;
        cap = cur + left;
        delta = left;
        this.budget.tryReserve(delta);
      }
    }
    const next = allocBytes(cap);
    if (this.buf !== null && this.len > 0) next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    return cap;
  }

  /** Sizes the storage for `n` bytes up front (e.g. a known Content-Length), within limit and budget. */
  reserve(n: number): void {
    const want = Math.min(n, this.limit);
    if (want > (this.buf === null ? 0 : this.buf.length)) this.grow(want);
  }

  /** A view of the bytes so far (valid until the next append or take). */
  view(): Uint8Array {
    return this.buf === null ? new Uint8Array(0) : this.buf.subarray(0, this.len);
  }

  byteAt(i: number): number {
    return this.buf![i]!;
  }

  /**
   * Hands the bytes over (the caller owns them from now on) and resets. The budget is released:
   * it bounds what is still being collected, not what finished units hold downstream.
   */
  take(): Uint8Array {
    const buf = this.buf;
    const len = this.len;
    this.release();
    if (buf === null) return new Uint8Array(0);
    // Do not pin a mostly-empty large block to a finished transaction.
    return len * 2 < buf.length && buf.length > MIN_CAPACITY ? copyOut(buf, 0, len) : buf.subarray(0, len);
  }

  /** Drops the contents and gives the memory back. */
  reset(): void {
    this.release();
  }

  /** Drops the last n bytes (keeps capacity). */
  truncate(newLength: number): void {
    if (newLength < this.len) this.len = Math.max(0, newLength);
  }

  private release(): void {
    if (this.buf !== null) this.budget.release(this.buf.length);
    this.buf = null;
    this.len = 0;
    this.cut = 0;
    this.budgetCut = false;
  }
}
