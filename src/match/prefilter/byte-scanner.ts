import { poolBytesAt, popcount } from './table-bits.js';
import { FOLD } from './ascii.js';
import { CandidateSet } from './candidate-set.js';
import { FoundBits } from './found-bits.js';
import type { PatternSlots } from './patterns.js';
import {
  buildTables, checkDelta, CONFIRM_MUL, deltaFromCode, HASH_MUL, QUAD_ALONE, QUAD_CHECK, QUAD_COUNT_MASK,
  QUAD_DELTA_SHIFT, QUAD_FIELDS, QUAD_FIRST, QUAD_KEY, QUAD_META, SLOT_CHECK, SLOT_DONE, SLOT_FIELDS, SLOT_IDS,
  SLOT_KEY_OFFSET, SLOT_LENGTH, SLOT_NOCASE, SLOT_POOL,
} from './byte-tables.js';

/**
 * The byte-at-a-time prefilter engine, for sets whose short patterns would flood the step engine
 * (see prefilter.ts and README.md).
 *
 * Every byte position probes two bitmaps with the folded bytes ending there: one indexed by the
 * last two bytes (patterns of 1-3 bytes) and one by a hash of the last four (longer patterns,
 * each keyed on its rarest 4-byte window). A set bit sends the position to exact verification.
 * Because only presence matters, once every pattern behind a bit is in the candidate set the bit
 * is cleared (and restored before a scan into another or a cleared set), so a frequent pattern
 * costs one verification per set rather than one per occurrence. README.md has the measurements
 * behind this design.
 */
export class ByteScanner {
  readonly maxKeyLookahead: number;
  /** log2 of the bits in the main filter for long patterns. */
  readonly quadFilterBits: number;

  private readonly fold: Uint8Array = FOLD;
  private readonly slotInfo: Int32Array;
  private readonly pool: Uint8Array;
  private readonly ids: Uint32Array;
  /** Whether any pattern has 1-3 bytes (else the scan skips the pair probe). */
  private readonly hasShortPatterns: boolean;
  private readonly singleFirst: Int32Array;
  private readonly singleList: Int32Array;
  /** Cleared bit by bit as patterns are found, restored at the next epoch (see byte-tables.ts for the layout). */
  private readonly pairBits: Int32Array;
  private readonly pairRank: Int32Array;
  private readonly pairFirst: Int32Array;
  private readonly pairList: Int32Array;
  private readonly quadShift: number;
  /** Cleared bit by bit as patterns are found, restored at the next epoch. */
  private readonly quadBits: Int32Array;
  private readonly quadTable: Int32Array;
  private readonly quadTableShift: number;
  private readonly quadTableMask: number;
  /** Per quadTable record: the epoch in which all its patterns were found. */
  private readonly quadKeyDone: Int32Array;

  /** Per raw byte: the epoch in which all 1-byte patterns matching it were found. */
  private readonly singlesDoneEpoch: Int32Array;
  /** The epoch stamping what was found, and the filter bits cleared since it began. */
  private readonly found: FoundBits;

  constructor(slots: PatternSlots, maxKeyLookahead: number, filterBits: number | undefined) {
    this.maxKeyLookahead = maxKeyLookahead;
    const t = buildTables(slots, maxKeyLookahead, filterBits);
    this.slotInfo = t.slotInfo;
    this.pool = t.pool;
    this.ids = t.ids;
    this.hasShortPatterns = t.pairList.length > 0 || t.singleList.length > 0;
    this.singleFirst = t.singleFirst;
    this.singleList = t.singleList;
    this.pairBits = t.pairBits;
    this.pairRank = t.pairRank;
    this.pairFirst = t.pairFirst;
    this.pairList = t.pairList;
    this.quadShift = t.quadShift;
    this.quadBits = t.quadBits;
    this.quadTable = t.quadTable;
    this.quadTableShift = t.quadTableShift;
    this.quadTableMask = t.quadTable.length - 1;
    this.quadKeyDone = new Int32Array(t.quadTable.length / QUAD_FIELDS);
    this.quadFilterBits = 32 - t.quadShift;
    this.singlesDoneEpoch = new Int32Array(256);
    // Per epoch each pair or quad key bit is cleared at most once, and each byte's 1-byte bits
    // once (8 words): the undo log never overflows.
    const undoCapacity = t.pairKeyCount + t.quadKeyCount + 256 * 8 + 1;
    this.found = new FoundBits(this.pairBits, this.quadBits, undoCapacity, () => {
      for (let k = SLOT_DONE; k < this.slotInfo.length; k += SLOT_FIELDS) this.slotInfo[k] = 0;
      this.singlesDoneEpoch.fill(0);
      this.quadKeyDone.fill(0);
    });
  }

  /** Bytes held by the matcher's tables (not counting streams or candidate sets). */
  get memoryBytes(): number {
    let total = 0;
    for (const a of [this.slotInfo, this.pool, this.ids, this.singleFirst, this.singleList, this.pairBits, this.pairRank, this.pairFirst, this.pairList,
      this.quadBits, this.quadTable, this.quadKeyDone, this.singlesDoneEpoch]) {
      total += a.byteLength;
    }
    return total + this.found.memoryBytes;
  }

  /**
   * Adds to `out` the id of every pattern with an occurrence inside buf[contextStart, end) that
   * ends after `start`: the occurrences completed by the new bytes buf[start, end) when
   * buf[contextStart, start) holds bytes scanned before (earlier data of a stream).
   */
  scanWithContext(buf: Uint8Array, contextStart: number, start: number, end: number, out: CandidateSet): void {
    // The caller (Prefilter) has checked the range and the set, and start < end.
    this.found.begin(out);
    // A key may end up to maxKeyLookahead bytes before its occurrence does, and the rolling
    // word takes 3 bytes to fill.
    const from = Math.max(contextStart, start - this.maxKeyLookahead - 3);
    const fold = this.fold;
    const quadBits = this.quadBits;
    const shift = this.quadShift;
    let w = 0;
    if (!this.hasShortPatterns) {
      // Same loop without the pair probe, which could never fire.
      for (let i = from; i < end; i++) {
        w = (w >>> 8) | (fold[buf[i]!]! << 24);
        const h = Math.imul(w, HASH_MUL) >>> shift;
        if (((quadBits[h >>> 5]! >>> h) & 1) !== 0) this.confirmQuad(buf, contextStart, start, end, i, w, h, out);
      }
      return;
    }
    const pairBits = this.pairBits;
    let p = 0;
    for (let i = from; i < end; i++) {
      const b = buf[i]!;
      w = (w >>> 8) | (fold[b]! << 24);
      p = (p >>> 8) | (b << 8);
      const h = Math.imul(w, HASH_MUL) >>> shift;
      // Shift counts are taken mod 32, so `>>> p` picks bit (p & 31) of word p >>> 5.
      if (((pairBits[p >>> 5]! >>> p) & 1) !== 0) this.verifyPair(buf, contextStart, start, end, i, p, out);
      if (((quadBits[h >>> 5]! >>> h) & 1) !== 0) this.confirmQuad(buf, contextStart, start, end, i, w, h, out);
    }
  }

  /**
   * The pair bit for p = raw[i] << 8 | raw[i-1] is set: report the 1-byte patterns matching raw[i]
   * and verify the 2-3 byte patterns keyed on p; clear the bit once all of them are in the set.
   * Verification runs at a few percent of positions, so it avoids calls and touches few cache lines.
   */
  private verifyPair(buf: Uint8Array, lo: number, start: number, end: number, i: number, p: number, out: CandidateSet): void {
    const info = this.slotInfo;
    const epoch = this.found.epoch;
    const raw = p >>> 8;
    let singlesDone = this.singlesDoneEpoch[raw] === epoch || this.singleFirst[raw + 1] === this.singleFirst[raw];
    if (!singlesDone && i >= start) {
      // Every 1-byte pattern listed under this raw byte matches it.
      for (let k = this.singleFirst[raw]!, e = this.singleFirst[raw + 1]!; k < e; k++) {
        const s = this.singleList[k]!;
        if (info[s * SLOT_FIELDS + SLOT_DONE] !== epoch) this.report(s, out);
      }
      singlesDone = true;
      this.singlesDoneEpoch[raw] = epoch;
      // Drop the bits that stood for 1-byte patterns ending in this byte; keep the pair keys'.
      for (let word = raw * 8; word < raw * 8 + 8; word++) {
        const kept = this.pairBits[word]! & this.pairRank[2 * word]!;
        if (kept !== this.pairBits[word]) this.found.setPairWord(word, kept);
      }
    }
    const own = this.pairRank[2 * (p >>> 5)]!;
    if (((own >>> p) & 1) === 0) return;
    const fold = this.fold;
    const rank = this.pairRank[2 * (p >>> 5) + 1]! + popcount(own & ((1 << (p & 31)) - 1));
    let pairsDone = true;
    for (let k = this.pairFirst[rank]!, e = this.pairFirst[rank + 1]!; k < e; k++) {
      const s = this.pairList[k]!;
      const r = s * SLOT_FIELDS;
      if (info[r + SLOT_DONE] === epoch) continue;
      const at = i - 1 - info[r + SLOT_KEY_OFFSET]!;
      const stop = at + info[r + SLOT_LENGTH]!;
      if (at >= lo && stop <= end && stop > start) {
        // Compare the 2-3 bytes packed like SLOT_CHECK.
        let v = 0;
        if (info[r + SLOT_NOCASE] !== 0) for (let j = stop - 1; j >= at; j--) v = (v << 8) | fold[buf[j]!]!;
        else for (let j = stop - 1; j >= at; j--) v = (v << 8) | buf[j]!;
        if (v === info[r + SLOT_CHECK]) {
          this.report(s, out);
          continue;
        }
      }
      pairsDone = false;
    }
    if (pairsDone && singlesDone) {
      const word = p >>> 5;
      const cleared = this.pairBits[word]! & ~(1 << (p & 31));
      if (cleared !== this.pairBits[word]) this.found.setPairWord(word, cleared);
    }
  }

  /** The quad bit for w is set: look w up, check its patterns, clear the bit once all are found. */
  private confirmQuad(buf: Uint8Array, lo: number, start: number, end: number, i: number, w: number, h: number, out: CandidateSet): void {
    const table = this.quadTable;
    let t = (Math.imul(w, CONFIRM_MUL) >>> this.quadTableShift) * QUAD_FIELDS;
    let meta = table[t + QUAD_META]!;
    while (meta !== 0 && table[t + QUAD_KEY] !== w) {
      t = (t + QUAD_FIELDS) & this.quadTableMask;
      meta = table[t + QUAD_META]!;
    }
    // Another key shares the bit: nothing here, and the bit must stay.
    if (meta === 0) return;
    const epoch = this.found.epoch;
    const record = t / QUAD_FIELDS;
    if (this.quadKeyDone[record] === epoch) return;
    const fold = this.fold;
    const count = meta & QUAD_COUNT_MASK;
    if (count === 1) {
      // One pattern behind the key: its check window, kept in the record, usually decides.
      const d = deltaFromCode(meta >>> QUAD_DELTA_SHIFT);
      const c = i - 3 + d;
      if (d !== 0 && c >= lo && c + 4 <= end) {
        const near = (fold[buf[c + 3]!]! << 24) | (fold[buf[c + 2]!]! << 16) | (fold[buf[c + 1]!]! << 8) | fold[buf[c]!]!;
        if (near !== table[t + QUAD_CHECK]) return;
      }
    }
    const info = this.slotInfo;
    let allDone = true;
    for (let s = table[t + QUAD_FIRST]!, e = s + count; s < e; s++) {
      const r = s * SLOT_FIELDS;
      if (info[r + SLOT_DONE] === epoch) continue;
      const keyOffset = info[r + SLOT_KEY_OFFSET]!;
      const at = i - 3 - keyOffset;
      if (count > 1) {
        const d = checkDelta(keyOffset, info[r + SLOT_LENGTH]!);
        const c = i - 3 + d;
        if (d !== 0 && c >= lo && c + 4 <= end) {
          const near = (fold[buf[c + 3]!]! << 24) | (fold[buf[c + 2]!]! << 16) | (fold[buf[c + 1]!]! << 8) | fold[buf[c]!]!;
          if (near !== info[r + SLOT_CHECK]) {
            allDone = false;
            continue;
          }
        }
      }
      if (this.occursAt(buf, lo, start, end, r, at)) this.report(s, out);
      else allDone = false;
    }
    if (allDone) {
      this.quadKeyDone[record] = epoch;
      if ((meta & QUAD_ALONE) !== 0) {
        const word = h >>> 5;
        this.found.clearWideBit(word, h & 31);
      }
    }
  }

  /** The slot whose info starts at r occurs at buf[at ..], inside [lo, end), ending after `start`. */
  private occursAt(buf: Uint8Array, lo: number, start: number, end: number, r: number, at: number): boolean {
    const info = this.slotInfo;
    const stop = at + info[r + SLOT_LENGTH]!;
    if (at < lo || stop > end || stop <= start) return false;
    return poolBytesAt(buf, at, stop, this.pool, info[r + SLOT_POOL]! - at, info[r + SLOT_NOCASE] !== 0);
  }

  private report(s: number, out: CandidateSet): void {
    const info = this.slotInfo;
    info[s * SLOT_FIELDS + SLOT_DONE] = this.found.epoch;
    const ids = this.ids;
    for (let k = info[s * SLOT_FIELDS + SLOT_IDS]!, e = info[(s + 1) * SLOT_FIELDS + SLOT_IDS]!; k < e; k++) out.add(ids[k]!);
  }
}
