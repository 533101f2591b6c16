import { poolBytesAt, popcount, spellings } from './table-bits.js';
import { CandidateSet } from './candidate-set.js';
import { FoundBits } from './found-bits.js';
import type { PatternSlots } from './patterns.js';
import {
  buildTables, CONFIRM_MUL, HASH_MUL, NOCASE_FLAG, REC_ALONE, REC_COUNT_MASK, REC_FIELDS, REC_FIRST, REC_KEY, REC_META,
  SLOT_DONE, SLOT_FIELDS, SLOT_IDS, SLOT_LENGTH, SLOT_POOL,
} from './step-tables.js';

/** Buffers up to this size are scanned from smallScratch (see scanWithContext). */
const SMALL_COPY = 128;
/** Off V8's heap (larger than its on-heap typed arrays) and word-aligned, shared by all scanners. */
const smallScratch = new Uint8Array(new ArrayBuffer(SMALL_COPY + 64), 0, SMALL_COPY + 64);

/** Folding of a little-endian word: 0x20 added to each byte in 0x41..0x5A (see foldWord). */
const LOW7 = 0x7f7f7f7f;
const TO_A = 0x3f3f3f3f;
const PAST_Z = 0x25252525;
const HIGH = 0x80808080 | 0;

/**
 * A DataView over the last scanned buffer's memory, shared by all scanners (scans never run
 * concurrently): reading a word with getInt32 costs one bounds check instead of four byte loads.
 * Keeps at most that one ArrayBuffer alive.
 */
let sharedView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function viewOf(buf: Uint8Array): DataView<ArrayBufferLike> {
  if (sharedView.buffer !== buf.buffer) sharedView = new DataView(buf.buffer);
  return sharedView;
}

/**
 * On little-endian hosts the word loops read aligned words of the buffer's memory through one
 * Int32Array (cheaper per step than DataView.getInt32), starting up to three bytes early so that
 * the words align; probes of those bytes are harmless, every report being verified in range.
 */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
let sharedWords: Int32Array<ArrayBufferLike> = new Int32Array(0);
let sharedWordsOf: ArrayBufferLike | null = null;

function wordsOf(buffer: ArrayBufferLike): Int32Array {
  if (sharedWordsOf !== buffer) {
    sharedWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    sharedWordsOf = buffer;
  }
  return sharedWords;
}

/**
 * ASCII folding (A-Z to a-z) of the four bytes of a word at once: a byte b < 0x80 is upper case
 * when b + 0x3f reaches 0x80 (b >= 0x41) and b + 0x25 does not (b < 0x5b); no sum carries into
 * the next byte.
 */
export function foldWord(w: number): number {
  const low = w & LOW7;
  return w | ((((low + TO_A) & ~(low + PAST_Z) & ~w) & HIGH) >>> 2);
}

/**
 * The four-bytes-a-step prefilter engine (see prefilter.ts and README.md).
 *
 * The scan advances four bytes per step and probes two bitmaps with the bytes there (see
 * step-tables.ts): a hashed 4-byte window, for patterns of 7+ bytes, which are keyed on four
 * consecutive windows so that one of them always falls on a probed position; and raw byte pairs,
 * two or four per step, for shorter patterns. A set bit sends the step to exact verification.
 * Because only presence matters, once every pattern behind a bit is in the candidate set the bit
 * is cleared (and restored before a scan into another or a cleared set), so a frequent pattern
 * costs one verification per set rather than one per occurrence. README.md has the measurements
 * behind this design.
 */
export class StepScanner {
  readonly maxKeyLookahead: number;
  /** log2 of the bits in the main filter for long patterns. */
  readonly quadFilterBits: number;

  private readonly slotInfo: Int32Array;
  private readonly pool: Uint8Array;
  private readonly ids: Uint32Array;
  /** Whether any pattern has 1-6 bytes (else the scan skips the pair probes). */
  private readonly hasShortPatterns: boolean;
  /** Whether some pattern has 1 byte: then the pairs at every position are probed, not every other. */
  private readonly everyPair: boolean;
  private readonly rowFirst: Int32Array;
  private readonly rowList: Int32Array;
  /** Cleared bit by bit as patterns are found, restored at the next epoch (see step-tables.ts for the layout). */
  private readonly pairBits: Int32Array;
  private readonly pairRank: Int32Array;
  private readonly pairFirst: Int32Array;
  private readonly pairSlot: Int32Array;
  private readonly pairOffset: Int32Array;
  /** Cleared bit by bit as patterns are found, restored at the next epoch. */
  private readonly wordBits: Int32Array;
  private readonly wordShift: number;
  private readonly keyTable: Int32Array;
  private readonly keyTableShift: number;
  private readonly keyTableMask: number;
  private readonly entrySlot: Int32Array;
  private readonly entryOffset: Int32Array;
  /** Per keyTable record: the epoch in which all its patterns were found. */
  private readonly keyDone: Int32Array;

  /** Slots searched alone (see step-tables.ts), each with the byte strings it matches (its spellings). */
  private readonly aloneSlots: Int32Array;
  private readonly aloneNeedles: Buffer[][];
  /** Longest of them (1 or 2). */
  private readonly aloneMaxLength: number;
  /** Some pattern is keyed in the tables (else only the searches alone run). */
  private readonly hasKeyed: boolean;
  /**
   * A set of a few patterns with few spellings: over ranges of WHOLE_SEARCH_MIN bytes or more,
   * each pattern's native substring search beats the step loop. Null otherwise.
   */
  private readonly wholeSlots: Int32Array | null;
  private readonly wholeNeedles: Buffer[][];
  private readonly wholeMaxLength: number;

  /** Per raw byte: the epoch in which all patterns of its row were found. */
  private readonly rowDoneEpoch: Int32Array;
  /** The epoch stamping what was found, and the filter bits cleared since it began. */
  private readonly found: FoundBits;

  constructor(slots: PatternSlots, maxKeyLookahead: number, filterBits: number | undefined) {
    this.maxKeyLookahead = maxKeyLookahead;
    const t = buildTables(slots, maxKeyLookahead, filterBits);
    this.slotInfo = t.slotInfo;
    this.pool = t.pool;
    this.ids = t.ids;
    this.hasShortPatterns = t.pairSlot.length > 0 || t.rowList.length > 0;
    this.everyPair = t.everyPair;
    this.rowFirst = t.rowFirst;
    this.rowList = t.rowList;
    this.pairBits = t.pairBits;
    this.pairRank = t.pairRank;
    this.pairFirst = t.pairFirst;
    this.pairSlot = t.pairSlot;
    this.pairOffset = t.pairOffset;
    this.wordBits = t.wordBits;
    this.wordShift = t.wordShift;
    this.keyTable = t.keyTable;
    this.keyTableShift = t.keyTableShift;
    this.keyTableMask = t.keyTable.length - 1;
    this.entrySlot = t.entrySlot;
    this.entryOffset = t.entryOffset;
    this.keyDone = new Int32Array(t.keyTable.length / REC_FIELDS);
    this.quadFilterBits = 32 - t.wordShift;
    this.rowDoneEpoch = new Int32Array(256);
    this.aloneSlots = t.searchedAlone;
    this.aloneNeedles = Array.from(t.searchedAlone, (s) => needlesOf(slots, s)!);
    this.aloneMaxLength = maxLength(slots, t.searchedAlone);
    this.hasKeyed = t.wordKeyCount > 0 || this.hasShortPatterns;
    const whole = slots.count <= MAX_WHOLE_SEARCH_PATTERNS ? Array.from({ length: slots.count }, (_, s) => needlesOf(slots, s)) : [];
    if (whole.length > 0 && whole.every((n) => n !== null)) {
      this.wholeSlots = Int32Array.from(whole, (_, s) => s);
      this.wholeNeedles = whole as Buffer[][];
      this.wholeMaxLength = maxLength(slots, this.wholeSlots);
    } else {
      this.wholeSlots = null;
      this.wholeNeedles = [];
      this.wholeMaxLength = 0;
    }
    // Per epoch each pair or word key bit is cleared at most once, and each byte's 1-byte bits
    // once (8 words): the undo log never overflows.
    const undoCapacity = t.pairKeyCount + t.wordKeyCount + 256 * 8 + 1;
    this.found = new FoundBits(this.pairBits, this.wordBits, undoCapacity, () => {
      for (let k = SLOT_DONE; k < this.slotInfo.length; k += SLOT_FIELDS) this.slotInfo[k] = 0;
      this.rowDoneEpoch.fill(0);
      this.keyDone.fill(0);
    });
  }

  /** Bytes held by the matcher's tables (not counting streams or candidate sets). */
  get memoryBytes(): number {
    let total = 0;
    for (const a of [this.slotInfo, this.pool, this.ids, this.rowFirst, this.rowList, this.pairBits, this.pairRank, this.pairFirst,
      this.pairSlot, this.pairOffset, this.wordBits, this.keyTable, this.entrySlot, this.entryOffset, this.keyDone, this.rowDoneEpoch]) {
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
    const n = end - contextStart;
    if (n <= SMALL_COPY && buf !== smallScratch && this.aloneSlots.length === 0) {
      // A short buffer (an HTTP method, a URI, a log field) is scanned where it is, its words
      // put together from bytes: reading .buffer of a small typed array that V8 keeps inside
      // its heap would move it out (an allocation per scan), and a buffer of another
      // ArrayBuffer than the last scan's would cost new word views.
      this.found.begin(out);
      if (!this.hasKeyed) return;
      const from = Math.max(contextStart, start - this.maxKeyLookahead - 6);
      this.scanTail(buf, contextStart, start, end, from, this.scanShort(buf, contextStart, start, end, from, out), out);
      return;
    }
    if (n <= SMALL_COPY && buf !== smallScratch) {
      // Searches alone read the buffer's memory: scan a copy in shared scratch instead.
      const s = smallScratch;
      if (contextStart === 0 && n === buf.length) s.set(buf);
      else for (let k = 0; k < n; k++) s[k] = buf[contextStart + k]!;
      this.scanWithContext(s, 0, start - contextStart, n, out);
      return;
    }
    this.found.begin(out);
    if (this.wholeSlots !== null && end - start >= WHOLE_SEARCH_MIN) {
      this.searchEach(this.wholeSlots, this.wholeNeedles, this.wholeMaxLength, buf, contextStart, start, end, out);
      return;
    }
    if (this.aloneSlots.length > 0) this.searchEach(this.aloneSlots, this.aloneNeedles, this.aloneMaxLength, buf, contextStart, start, end, out);
    if (!this.hasKeyed) return;
    // A key run (at most 7 bytes) ends up to maxKeyLookahead bytes before its occurrence does.
    const from = Math.max(contextStart, start - this.maxKeyLookahead - 6);
    let i: number;
    if (!this.hasShortPatterns) i = this.scanWords(buf, contextStart, start, end, from, out);
    else if (this.everyPair) i = this.scanEveryPair(buf, contextStart, start, end, from, out);
    else i = this.scanEvenPairs(buf, contextStart, start, end, from, out);
    this.scanTail(buf, contextStart, start, end, from, i, out);
  }

  /**
   * The last 1-3 bytes after the step loop stopped at i: one more step over a word padded with
   * whatever follows (false alarms at worst: verification stays within [lo, end)).
   */
  private scanTail(buf: Uint8Array, lo: number, start: number, end: number, from: number, i: number, out: CandidateSet): void {
    if (i >= end) return;
    const p = i - 4 >= from ? wordAt(buf, i - 4) : 0;
    let a = 0;
    for (let k = Math.min(buf.length, i + 4) - 1; k >= i; k--) a = (a << 8) | buf[k]!;
    this.verifyStep(buf, lo, start, end, i, p, a, out);
  }

  /**
   * The step loop for a short buffer, every probe of the set's kind in one loop, words put
   * together from bytes (see scanWithContext). For a few steps the branches cost less than the
   * word loads the other loops save.
   */
  private scanShort(buf: Uint8Array, lo: number, start: number, end: number, from: number, out: CandidateSet): number {
    const words = this.wordBits;
    const ws = this.wordShift;
    const pairs = this.pairBits;
    const short = this.hasShortPatterns;
    const every = this.everyPair;
    let p = 0;
    let i = from;
    for (; i + 4 <= end; i += 4) {
      const a = (buf[i + 3]! << 24) | (buf[i + 2]! << 16) | (buf[i + 1]! << 8) | buf[i]!;
      const low = a & 0x7f7f7f7f;
      const h = Math.imul(a | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~a) & 0x80808080) >>> 2), 0x9e3779b1) >>> ws;
      let any = words[h >>> 5]! >>> h;
      if (short) {
        const q1 = a & 0xffff;
        const q3 = a >>> 16;
        any |= (pairs[q1 >>> 5]! >>> q1) | (pairs[q3 >>> 5]! >>> q3);
        if (every) {
          const q0 = (p >>> 24) | ((a & 0xff) << 8);
          const q2 = (a >>> 8) & 0xffff;
          any |= (pairs[q0 >>> 5]! >>> q0) | (pairs[q2 >>> 5]! >>> q2);
        }
      }
      if ((any & 1) !== 0) this.verifyStep(buf, lo, start, end, i, p, a, out);
      p = a;
    }
    return i;
  }

  /**
   * Searches each of `slots` (with its spellings `needles`, longest `maxLen` bytes) not found yet
   * in this epoch, by native substring search: occurrences in [lo, end) ending after start.
   */
  private searchEach(slots: Int32Array, needleLists: Buffer[][], maxLen: number, buf: Uint8Array, lo: number, start: number, end: number, out: CandidateSet): void {
    const info = this.slotInfo;
    const epoch = this.found.epoch;
    // One view over the bytes any of them may occupy.
    const from = Math.max(lo, start - maxLen + 1);
    let view: Buffer | null = null;
    for (let k = 0; k < slots.length; k++) {
      const s = slots[k]!;
      const r = s * SLOT_FIELDS;
      if (info[r + SLOT_DONE] === epoch) continue;
      const at = Math.max(lo, start - (info[r + SLOT_LENGTH]! & ~NOCASE_FLAG) + 1) - from;
      view ??= Buffer.from(buf.buffer, buf.byteOffset + from, end - from);
      const needles = needleLists[k]!;
      for (let j = 0; j < needles.length; j++) {
        if (view.indexOf(needles[j]!, at) >= 0) {
          this.report(s, out);
          break;
        }
      }
    }
  }

  // The three step loops for longer buffers differ only in the pair probes (scanShort does all
  // three kinds). Constants are written out: TurboFan folds literals, not imported bindings.

  /** The step loop when every pattern has 7+ bytes: one probe per four bytes. */
  private scanWords(buf: Uint8Array, lo: number, start: number, end: number, from: number, out: CandidateSet): number {
    const at = buf.byteOffset;
    const words = this.wordBits;
    const ws = this.wordShift;
    if (LITTLE_ENDIAN) {
      const mem = wordsOf(buf.buffer);
      let i = from - ((at + from) & 3);
      for (; i + 4 <= end; i += 4) {
        const a = mem[(at + i) >> 2]!;
        const low = a & 0x7f7f7f7f;
        const h = Math.imul(a | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~a) & 0x80808080) >>> 2), 0x9e3779b1) >>> ws;
        if (((words[h >>> 5]! >>> h) & 1) !== 0) this.confirmWord(buf, lo, start, end, i, foldWord(a), out);
      }
      return i;
    }
    const view = viewOf(buf);
    let i = from;
    for (; i + 4 <= end; i += 4) {
      const a = view.getInt32(at + i, true);
      const low = a & 0x7f7f7f7f;
      const h = Math.imul(a | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~a) & 0x80808080) >>> 2), 0x9e3779b1) >>> ws;
      // Shift counts are taken mod 32, so `>>> h` picks bit (h & 31) of word h >>> 5.
      if (((words[h >>> 5]! >>> h) & 1) !== 0) this.confirmWord(buf, lo, start, end, i, foldWord(a), out);
    }
    return i;
  }

  /** The step loop for sets with 2-6 byte patterns but no 1-byte ones: pairs at i and i+2. */
  private scanEvenPairs(buf: Uint8Array, lo: number, start: number, end: number, from: number, out: CandidateSet): number {
    const at = buf.byteOffset;
    const words = this.wordBits;
    const ws = this.wordShift;
    const pairs = this.pairBits;
    if (LITTLE_ENDIAN) {
      const mem = wordsOf(buf.buffer);
      let i = from - ((at + from) & 3);
      for (; i + 4 <= end; i += 4) {
        const a = mem[(at + i) >> 2]!;
        const low = a & 0x7f7f7f7f;
        const h = Math.imul(a | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~a) & 0x80808080) >>> 2), 0x9e3779b1) >>> ws;
        const q1 = a & 0xffff;
        const q3 = a >>> 16;
        if ((((words[h >>> 5]! >>> h) | (pairs[q1 >>> 5]! >>> q1) | (pairs[q3 >>> 5]! >>> q3)) & 1) !== 0) {
          this.verifyStep(buf, lo, start, end, i, 0, a, out);
        }
      }
      return i;
    }
    const view = viewOf(buf);
    let i = from;
    for (; i + 4 <= end; i += 4) {
      const a = view.getInt32(at + i, true);
      const low = a & 0x7f7f7f7f;
      const h = Math.imul(a | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~a) & 0x80808080) >>> 2), 0x9e3779b1) >>> ws;
      const q1 = a & 0xffff;
      const q3 = a >>> 16;
      if ((((words[h >>> 5]! >>> h) | (pairs[q1 >>> 5]! >>> q1) | (pairs[q3 >>> 5]! >>> q3)) & 1) !== 0) {
        this.verifyStep(buf, lo, start, end, i, 0, a, out);
      }
    }
    return i;
  }

  /** The step loop for sets with 1-byte patterns: pairs at i-1, i, i+1, i+2. */
  private scanEveryPair(buf: Uint8Array, lo: number, start: number, end: number, from: number, out: CandidateSet): number {
    const view = viewOf(buf);
    const at = buf.byteOffset;
    const words = this.wordBits;
    const ws = this.wordShift;
    const pairs = this.pairBits;
    let p = 0;
    let i = from;
    for (; i + 4 <= end; i += 4) {
      const a = view.getInt32(at + i, true);
      const low = a & 0x7f7f7f7f;
      const h = Math.imul(a | ((((low + 0x3f3f3f3f) & ~(low + 0x25252525) & ~a) & 0x80808080) >>> 2), 0x9e3779b1) >>> ws;
      const q0 = (p >>> 24) | ((a & 0xff) << 8);
      const q1 = a & 0xffff;
      const q2 = (a >>> 8) & 0xffff;
      const q3 = a >>> 16;
      const any = (words[h >>> 5]! >>> h) | (pairs[q0 >>> 5]! >>> q0) | (pairs[q1 >>> 5]! >>> q1) | (pairs[q2 >>> 5]! >>> q2) | (pairs[q3 >>> 5]! >>> q3);
      if ((any & 1) !== 0) this.verifyStep(buf, lo, start, end, i, p, a, out);
      p = a;
    }
    return i;
  }

  /**
   * Some probe of the step at i (word a = bytes i..i+3, p = the four before) hit: redo each probe
   * and verify what it points to. Bytes past `end` (the last, padded step) are never reported.
   */
  private verifyStep(buf: Uint8Array, lo: number, start: number, end: number, i: number, p: number, a: number, out: CandidateSet): void {
    const fa = foldWord(a);
    const h = Math.imul(fa, HASH_MUL) >>> this.wordShift;
    if (((this.wordBits[h >>> 5]! >>> h) & 1) !== 0) this.confirmWord(buf, lo, start, end, i, fa, out);
    if (!this.hasShortPatterns) return;
    const pairs = this.pairBits;
    const q1 = a & 0xffff;
    if (((pairs[q1 >>> 5]! >>> q1) & 1) !== 0) this.verifyPair(buf, lo, start, end, i, q1, out);
    const q3 = a >>> 16;
    if (((pairs[q3 >>> 5]! >>> q3) & 1) !== 0) this.verifyPair(buf, lo, start, end, i + 2, q3, out);
    if (!this.everyPair) return;
    const q0 = (p >>> 24) | ((a & 0xff) << 8);
    if (((pairs[q0 >>> 5]! >>> q0) & 1) !== 0) this.verifyPair(buf, lo, start, end, i - 1, q0, out);
    const q2 = (a >>> 8) & 0xffff;
    if (((pairs[q2 >>> 5]! >>> q2) & 1) !== 0) this.verifyPair(buf, lo, start, end, i + 1, q2, out);
  }

  /**
   * The pair bit for q = raw[at+1] << 8 | raw[at] is set: verify the patterns of the row of
   * raw[at+1] and those keyed on q at this position; clear the bits once all are in the set.
   */
  private verifyPair(buf: Uint8Array, lo: number, start: number, end: number, at: number, q: number, out: CandidateSet): void {
    const info = this.slotInfo;
    const epoch = this.found.epoch;
    const raw = q >>> 8;
    let rowDone = this.rowDoneEpoch[raw] === epoch || this.rowFirst[raw + 1] === this.rowFirst[raw];
    if (!rowDone) {
      // The patterns of this byte's row, beginning at the pair's second byte.
      rowDone = true;
      for (let k = this.rowFirst[raw]!, e = this.rowFirst[raw + 1]!; k < e; k++) {
        const s = this.rowList[k]!;
        const r = s * SLOT_FIELDS;
        if (info[r + SLOT_DONE] === epoch) continue;
        // A 1-byte pattern in the row matches this byte.
        const found = (info[r + SLOT_LENGTH]! & ~NOCASE_FLAG) === 1 ? at + 1 >= start && at + 1 < end : this.occursAt(buf, lo, start, end, r, at + 1);
        if (found) this.report(s, out);
        else rowDone = false;
      }
      if (rowDone) {
        this.rowDoneEpoch[raw] = epoch;
        // Drop the bits that stood for the row; keep the pair keys'.
        for (let word = raw * 8; word < raw * 8 + 8; word++) {
          const kept = this.pairBits[word]! & this.pairRank[2 * word]!;
          if (kept !== this.pairBits[word]) this.found.setPairWord(word, kept);
        }
      }
    }
    const own = this.pairRank[2 * (q >>> 5)]!;
    if (((own >>> q) & 1) === 0) return;
    const rank = this.pairRank[2 * (q >>> 5) + 1]! + popcount(own & ((1 << (q & 31)) - 1));
    let pairsDone = true;
    for (let k = this.pairFirst[rank]!, e = this.pairFirst[rank + 1]!; k < e; k++) {
      const s = this.pairSlot[k]!;
      const r = s * SLOT_FIELDS;
      if (info[r + SLOT_DONE] === epoch) continue;
      if (this.occursAt(buf, lo, start, end, r, at - this.pairOffset[k]!)) this.report(s, out);
      else pairsDone = false;
    }
    if (pairsDone && rowDone) {
      const word = q >>> 5;
      const cleared = this.pairBits[word]! & ~(1 << (q & 31));
      if (cleared !== this.pairBits[word]) this.found.setPairWord(word, cleared);
    }
  }

  /**
   * A bitmap bit for the folded window w starting at `at` is set: look w up, check the
   * patterns keyed on it, and once all are found clear its bit in each bitmap it has to itself.
   */
  private confirmWord(buf: Uint8Array, lo: number, start: number, end: number, at: number, w: number, out: CandidateSet): void {
    const table = this.keyTable;
    let t = (Math.imul(w, CONFIRM_MUL) >>> this.keyTableShift) * REC_FIELDS;
    let meta = table[t + REC_META]!;
    while (meta !== 0 && table[t + REC_KEY] !== w) {
      t = (t + REC_FIELDS) & this.keyTableMask;
      meta = table[t + REC_META]!;
    }
    // Another key shares the bit: nothing here, and the bit must stay.
    if (meta === 0) return;
    const epoch = this.found.epoch;
    const record = t / REC_FIELDS;
    // Already found (through another bitmap, or while its bit here is shared).
    if (this.keyDone[record] === epoch) return;
    const info = this.slotInfo;
    let allDone = true;
    for (let e = table[t + REC_FIRST]!, stop = e + (meta & REC_COUNT_MASK); e < stop; e++) {
      const s = this.entrySlot[e]!;
      const r = s * SLOT_FIELDS;
      if (info[r + SLOT_DONE] === epoch) continue;
      if (this.occursAt(buf, lo, start, end, r, at - this.entryOffset[e]!)) this.report(s, out);
      else allDone = false;
    }
    if (!allDone) return;
    this.keyDone[record] = epoch;
    if ((meta & REC_ALONE) === 0) return;
    const h = Math.imul(w, HASH_MUL) >>> this.wordShift;
    const word = h >>> 5;
    this.found.clearWideBit(word, h & 31);
  }

  /** The slot whose info starts at r occurs at buf[at ..], inside [lo, end), ending after `start`. */
  private occursAt(buf: Uint8Array, lo: number, start: number, end: number, r: number, at: number): boolean {
    const info = this.slotInfo;
    const lengthAndCase = info[r + SLOT_LENGTH]!;
    const stop = at + (lengthAndCase & ~NOCASE_FLAG);
    if (at < lo || stop > end || stop <= start) return false;
    return poolBytesAt(buf, at, stop, this.pool, info[r + SLOT_POOL]! - at, (lengthAndCase & NOCASE_FLAG) !== 0);
  }

  private report(s: number, out: CandidateSet): void {
    const info = this.slotInfo;
    info[s * SLOT_FIELDS + SLOT_DONE] = this.found.epoch;
    const ids = this.ids;
    for (let k = info[s * SLOT_FIELDS + SLOT_IDS]!, e = info[(s + 1) * SLOT_FIELDS + SLOT_IDS]!; k < e; k++) out.add(ids[k]!);
  }
}

/** Sets of at most this many patterns may be searched pattern by pattern (see wholeSlots). */
const MAX_WHOLE_SEARCH_PATTERNS = 4;
/** A pattern with more spellings (nocase letters) than this is never searched alone. */
const MAX_SPELLINGS = 4;
/** Below this many new bytes the step loop wins over a few native searches (their setup costs). */
const WHOLE_SEARCH_MIN = 256;

/** The byte strings slot s matches (both cases of each letter under nocase), or null when too many. */
function needlesOf(slots: PatternSlots, s: number): Buffer[] | null {
  const from = slots.start[s]!;
  const len = slots.length[s]!;
  const nocase = slots.nocase[s] !== 0;
  let spelled: number[][] = [[]];
  for (let j = 0; j < len; j++) {
    spelled = spelled.flatMap((p) => spellings(slots.pool[from + j]!, nocase).map((b) => [...p, b]));
    if (spelled.length > MAX_SPELLINGS) return null;
  }
  return spelled.map((p) => Buffer.from(p));
}

function maxLength(slots: PatternSlots, list: Int32Array): number {
  let m = 0;
  for (const s of list) m = Math.max(m, slots.length[s]!);
  return m;
}

/** The 4 bytes at `at`, little-endian. */
function wordAt(buf: Uint8Array, at: number): number {
  return (buf[at + 3]! << 24) | (buf[at + 2]! << 16) | (buf[at + 1]! << 8) | buf[at]!;
}
