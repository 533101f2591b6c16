/**
 * Per-stream carry for Prefilter.scanStream: the last bytes of the stream, enough to complete
 * any pattern that began before the current chunk (the longest pattern's length minus one).
 */
export class PrefilterStream {
  readonly tail: Uint8Array;
  /** Bytes of `tail` in use (the stream's most recent bytes, oldest first). */
  length = 0;
  /** Total bytes seen on the stream. */
  bytesSeen = 0;

  constructor(readonly capacity: number) {
    this.tail = new Uint8Array(capacity);
  }

  reset(): void {
    this.length = 0;
    this.bytesSeen = 0;
  }

  /** Keeps the last `capacity` bytes of (tail ++ chunk[start, end)). */
  append(chunk: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.bytesSeen += n;
    const cap = this.capacity;
    if (cap === 0) return;
    if (n >= cap) {
      this.tail.set(chunk.subarray(end - cap, end), 0);
      this.length = cap;
      return;
    }
    const keepOld = Math.min(this.length, cap - n);
    if (keepOld > 0 && this.length > keepOld) this.tail.copyWithin(0, this.length - keepOld, this.length);
    this.tail.set(chunk.subarray(start, end), keepOld);
    this.length = keepOld + n;
  }
}
