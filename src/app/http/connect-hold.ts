import { ByteAccumulator, type MemoryBudget } from '../accumulator.js';

/** Client bytes held after a CONNECT, at most: the start of a tunnel (a ClientHello) fits many times over. */
export const CONNECT_HOLD_LIMIT = 64 * 1024;

/**
 * The client's bytes after a CONNECT request, held until the answer says whose they are: the
 * tunnel's (detected afresh) or the next requests' (a refusal). A client may send them before
 * the answer (RFC 7231 4.3.6 allows it); reading them as requests or skipping them as tunnel
 * data before the answer would guess. Only the start is held: past the limit, a budget refusal
 * or a gap, the rest is dropped and `lost` says so.
 */
export class ConnectHold {
  /**
   * Bytes taken over without a copy, in order: the rest of an earlier hold read again after a
   * refusal, up to a CONNECT pipelined there. Copying them instead would cost up to the limit
   * per refusal, again and again for a run of pipelined CONNECTs.
   */
  private readonly adopted: Uint8Array[] = [];
  private adoptedBytes = 0;
  private readonly acc: ByteAccumulator;
  /** Bytes after the held ones were dropped: whoever reads them next starts after a gap. */
  lost = false;
  /** Bytes dropped (not held). */
  dropped = 0;

  constructor(private readonly budget: MemoryBudget) {
    this.acc = new ByteAccumulator(budget, CONNECT_HOLD_LIMIT);
  }

  add(chunk: Uint8Array, start: number, end: number): void {
    if (this.lost) {
      this.dropped += end - start;
      return;
    }
    const kept = this.acc.append(chunk, start, end);
    if (kept < end - start) {
      this.lost = true;
      this.dropped += end - start - kept;
    }
  }

  /** As add, for bytes the caller owns and will not touch again: kept by reference. */
  adopt(bytes: Uint8Array): void {
    const n = Math.min(bytes.length, CONNECT_HOLD_LIMIT - this.adoptedBytes);
    // Copied bytes already held come first: adopting after them would reorder.
    if (this.lost || this.acc.length > 0 || n <= 0 || !this.budget.tryReserve(n)) {
      this.add(bytes, 0, bytes.length);
      return;
    }
    this.adopted.push(bytes.subarray(0, n));
    this.adoptedBytes += n;
    this.acc.limit = CONNECT_HOLD_LIMIT - this.adoptedBytes;
    if (n < bytes.length) {
      this.lost = true;
      this.dropped += bytes.length - n;
    }
  }

  /** Bytes are missing: what follows is not contiguous with what is held. */
  gap(): void {
    this.lost = true;
  }

  /** The held bytes in order, handed over (the hold is empty afterwards, `lost` kept). */
  take(): Uint8Array[] {
    const parts = this.adopted.splice(0);
    this.budget.release(this.adoptedBytes);
    this.adoptedBytes = 0;
    const rest = this.acc.take();
    if (rest.length > 0) parts.push(rest);
    return parts;
  }

  /** Held bytes, not counting the dropped ones. */
  get length(): number {
    return this.adoptedBytes + this.acc.length;
  }
}
