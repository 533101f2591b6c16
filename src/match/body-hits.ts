/**
 * Body-pattern hits found while scanning one direction's stream data, by stream range.
 *
 * An identity-encoded HTTP body is a run of the stream's bytes: the to-client stream scan can
 * look for the response body patterns at the same time as for its own (one pass over the bytes
 * instead of two). It cannot tell at scan time where bodies begin and end, so each scan's body
 * hits are kept with the range they came from; when the transaction is inspected, the scans that
 * lay wholly inside its body stand in for scanning those bytes again, and the rest of the body
 * (its first bytes, a hole in the record, its tail) is scanned as before. Exact either way: the
 * candidates are those a scan of the body alone finds.
 */
import type { CandidateSet } from './prefilter/index.js';

/** Scans remembered per direction; when full, neighbouring records are merged (see compact). */
const MAX_RECORDS = 64;
/** Ids remembered per direction (a log holds at most ~6 KB); past it the log starts over. */
const MAX_IDS = 1024;

export class BodyHitLog {
  /** What the hits are for (the HTTP group's body patterns); hits for another owner are not used. */
  private owner: unknown = null;
  // Grown on demand up to the caps: most flows carry a few small responses.
  /** Per record: stream offsets of the scanned new bytes [from, to) and of the first context byte. */
  private from: Float64Array = new Float64Array(8);
  private to: Float64Array = new Float64Array(8);
  private context: Float64Array = new Float64Array(8);
  /** Record r's ids are ids[idStart[r], idStart[r + 1]). */
  private idStart = new Int32Array(9);
  private ids = new Int32Array(64);
  private count = 0;
  /** Longest pattern the owner's hits are for, less one: how far before a record's range an occurrence may begin. */
  private reach = 0;
  /** The run of records collect() used, as stream offsets [coveredFrom, coveredTo). */
  coveredFrom = 0;
  coveredTo = 0;

  get records(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
    this.idStart[0] = 0;
  }

  /**
   * Starts the record of a scan of stream bytes [from, to) with context from `context` (the
   * scan reported occurrences inside [context, to) ending after from), for the patterns of
   * `owner`, at most `maxLength` bytes long. Scans whose context cannot hold an occurrence
   * ending in their range are not recorded (returns false): no body could use them.
   */
  begin(owner: unknown, maxLength: number, from: number, to: number, context: number): boolean {
    if (owner !== this.owner) {
      this.clear();
      this.owner = owner;
      this.reach = Math.max(0, maxLength - 1);
    }
    if (from - this.reach < context) return false;
    if (this.count === MAX_RECORDS) this.compact();
    if (this.count === this.from.length) this.growRecords();
    const r = this.count;
    this.from[r] = from;
    this.to[r] = to;
    this.context[r] = context;
    this.idStart[r + 1] = this.idStart[r]!;
    return true;
  }

  /** Adds an id to the record begun last; false when out of room (then close it with end(false)). */
  push(id: number): boolean {
    const n = this.idStart[this.count + 1]!;
    if (n === this.ids.length) {
      if (n >= MAX_IDS) return false;
      const grown = new Int32Array(Math.min(MAX_IDS, n * 2));
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[n] = id;
    this.idStart[this.count + 1] = n + 1;
    return true;
  }

  /** Closes the record begun last: kept when `complete`, else forgotten (and the log with it, when out of room). */
  end(complete: boolean): void {
    if (complete) this.count++;
    else this.clear();
  }

  /**
   * For a body that is the stream's bytes [start, end): adds to `out` the ids of the first run
   * of contiguous records that lie inside the body and saw each occurrence ending in their
   * range whole (its start inside the body; begin() checked it is inside the scan's context).
   * Returns false when no record qualifies; else the run is [coveredFrom, coveredTo): the ids
   * are exactly the body patterns occurring in the body with an end in that range. Records up
   * to the body's end are forgotten afterwards (later bodies come later in the stream).
   */
  collect(owner: unknown, start: number, end: number, out: CandidateSet): boolean {
    if (owner !== this.owner || this.count === 0) return false;
    const reach = this.reach;
    let c0 = -1;
    let c1 = -1;
    let used = 0;
    for (let r = 0; r < this.count; r++) {
      const from = this.from[r]!;
      const to = this.to[r]!;
      if (to > end) break;
      if (from - reach < start || (c0 >= 0 && from !== c1)) {
        if (c0 >= 0) break;
        continue;
      }
      if (c0 < 0) c0 = from;
      c1 = to;
      for (let k = this.idStart[r]!, e = this.idStart[r + 1]!; k < e; k++) out.add(this.ids[k]!);
      used++;
    }
    this.forgetUpTo(end);
    if (used === 0) return false;
    this.coveredFrom = c0;
    this.coveredTo = c1;
    return true;
  }

  /** Forgets the records ending at or before stream offset `offset`. */
  forgetUpTo(offset: number): void {
    let n = 0;
    while (n < this.count && this.to[n]! <= offset) n++;
    if (n === 0) return;
    const shift = this.idStart[n]!;
    const left = this.count - n;
    this.from.copyWithin(0, n, this.count);
    this.to.copyWithin(0, n, this.count);
    this.context.copyWithin(0, n, this.count);
    this.ids.copyWithin(0, shift, this.idStart[this.count]!);
    for (let r = 0; r <= left; r++) this.idStart[r] = this.idStart[r + n]! - shift;
    this.count = left;
  }

  /**
   * Full: merges records pairwise where the second continues the first (a long body's scans),
   * keeping the first's context; the merged record holds both id lists.
   * A merged record serves a body only if the body holds both halves, so this is done only
   * when the log is full. When nothing merges, the oldest half is forgotten.
   */
  private compact(): void {
    let w = 0;
    let idw = 0;
    const n = this.count;
    for (let r = 0; r < n; r++) {
      const a0 = this.idStart[r]!;
      const a1 = this.idStart[r + 1]!;
      const mergeNext = r + 1 < n && this.from[r + 1] === this.to[r];
      const from = this.from[r]!;
      const context = this.context[r]!;
      let to = this.to[r]!;
      const start = idw;
      for (let k = a0; k < a1; k++) this.ids[idw++] = this.ids[k]!;
      if (mergeNext) {
        const firstEnd = idw;
        for (let k = this.idStart[r + 1]!, e = this.idStart[r + 2]!; k < e; k++) {
          const id = this.ids[k]!;
          let seen = false;
          for (let j = start; j < firstEnd && !seen; j++) seen = this.ids[j] === id;
          if (!seen) this.ids[idw++] = id;
        }
        to = this.to[r + 1]!;
        r++;
      }
      this.from[w] = from;
      this.to[w] = to;
      this.context[w] = context;
      this.idStart[w] = start;
      w++;
    }
    this.idStart[w] = idw;
    this.count = w;
    if (w === n) this.forgetUpTo(this.to[(n >>> 1) - 1]!);
  }

  private growRecords(): void {
    const cap = Math.min(MAX_RECORDS, this.from.length * 2);
    const grow = (a: Float64Array): Float64Array => {
      const g = new Float64Array(cap);
      g.set(a);
      return g;
    };
    this.from = grow(this.from);
    this.to = grow(this.to);
    this.context = grow(this.context);
    const s = new Int32Array(cap + 1);
    s.set(this.idStart);
    this.idStart = s;
  }
}
