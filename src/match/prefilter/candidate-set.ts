/**
 * The ids of the patterns found by one or more scans, without duplicates.
 *
 * Reused across scans: `clear()` is O(1) because membership is a generation stamp per id
 * rather than a flag that would need resetting. Ids must be integers in [0, idLimit).
 */
export class CandidateSet {
  /** Found ids in order of discovery; only the first `count` entries are meaningful. */
  readonly ids: Uint32Array;
  count = 0;
  readonly idLimit: number;
  private readonly stamp: Uint32Array;
  private current = 1;

  constructor(idLimit: number) {
    if (!Number.isInteger(idLimit) || idLimit < 0 || idLimit > MAX_ID_LIMIT) {
      throw new RangeError(`CandidateSet: idLimit must be an integer in [0, ${MAX_ID_LIMIT}], got ${idLimit}`);
    }
    this.idLimit = idLimit;
    this.ids = new Uint32Array(idLimit);
    this.stamp = new Uint32Array(idLimit);
  }

  /** Changes on every clear(): lets a scanner tell whether what it found earlier is still in the set. */
  get generation(): number {
    return this.current;
  }

  clear(): void {
    this.count = 0;
    this.current = (this.current + 1) >>> 0;
    if (this.current === 0) {
      // After 2^32 clears the stamps could alias a live generation: start over.
      this.stamp.fill(0);
      this.current = 1;
    }
  }

  /** Adds `id`; returns true when it was not yet present. */
  add(id: number): boolean {
    if (this.stamp[id] === this.current) return false;
    this.stamp[id] = this.current;
    this.ids[this.count++] = id;
    return true;
  }

  has(id: number): boolean {
    return id >= 0 && id < this.idLimit && this.stamp[id] === this.current;
  }

  /** A copy of the found ids (for tests and diagnostics; the hot path reads `ids`/`count`). */
  toArray(): number[] {
    return Array.from(this.ids.subarray(0, this.count));
  }
}

/**
 * Upper bound on ids: a set costs 8 bytes per possible id, so ids are meant to be dense
 * indices (rule numbers), not sids.
 */
export const MAX_ID_LIMIT = 1 << 24;
