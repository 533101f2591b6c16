import { FOLD } from './ascii.js';
import { BYTE_COST, chooseWindowRun, windowRarity, WindowCounts } from './key-selection.js';
import type { PatternSlots } from './patterns.js';
import { CONFIRM_MUL, HASH_MUL, MAX_SLOTS, clamp, rankTable, spellings } from './table-bits.js';

/**
 * The prefilter's tables, as flat typed arrays laid out for the two hot paths.
 *
 * The scan steps through the buffer four bytes at a time. At each step i it holds bytes
 * i..i+3 as a little-endian word (first byte lowest), and probes:
 * - `wordBits`, with a hash of that word ASCII-folded: a window at every fourth position. A
 *   pattern of 7+ bytes is keyed on a run of four consecutive 4-byte windows, so whatever its
 *   alignment one of them starts at a probed position.
 * - `pairBits`, indexed by raw (unfolded) byte pairs: those starting at i and i+2, and when the
 *   set has 1-byte patterns also those at i-1 and i+1. A pattern of 3-6 bytes is keyed on a run
 *   of two consecutive pairs (one of them starts at an even offset from the scan start), in every
 *   spelling it matches. A 2-byte pattern is keyed on itself (even offsets) and on the row of its
 *   first byte, the 256 pairs ending in it (odd offsets: 8 whole words); a 1-byte pattern on the
 *   row of its byte. Unfolded, so "CTT" is not verified at every "ct" of a web page.
 * A set word bit is confirmed in `keyTable`, an open-addressing table from folded window to the
 * (pattern, window offset) entries keyed on it; a set pair bit leads through a rank table to the
 * entries of that pair.
 */
export interface PrefilterTables {
  count: number;
  /** SLOT_FIELDS int32 per slot, plus one sentinel row; see the SLOT_* offsets. */
  slotInfo: Int32Array;
  /** Bytes to compare: slot s is pool[SLOT_POOL .. + SLOT_LENGTH), folded for nocase slots, exact otherwise. */
  pool: Uint8Array;
  /** Ids of slot s: ids[slotInfo[s*F + SLOT_IDS] .. slotInfo[(s+1)*F + SLOT_IDS]). */
  ids: Uint32Array;
  /**
   * The row of raw byte b (the 256 pairs ending in b): the 1-byte patterns matching b and the
   * 2-byte patterns whose first byte b matches, rowList[rowFirst[b] .. rowFirst[b+1]).
   */
  rowFirst: Int32Array;
  rowList: Int32Array;
  pairBits: Int32Array;
  /** Per pairBits word: [bits of pair keys only, number of such keys in earlier words]. */
  pairRank: Int32Array;
  /** Entries of the r-th pair key (in pair order): pairSlot/pairOffset[pairFirst[r] .. pairFirst[r+1]). */
  pairFirst: Int32Array;
  pairSlot: Int32Array;
  /** Offset of the key pair in the slot's pattern. */
  pairOffset: Int32Array;
  /** Some pattern has 1 byte: pairs at every position must be probed, not every other. */
  everyPair: boolean;
  /**
   * Slots searched on their own (native substring search) rather than keyed: the few 1-byte
   * patterns and 2-byte ones beginning with a common byte, which would otherwise make every
   * position's pairs probed (see MAX_SEARCHED_ALONE).
   */
  searchedAlone: Int32Array;
  /** Bitmap over HASH_MUL hashes of folded windows; a hash's bit is h >>> wordShift. */
  wordBits: Int32Array;
  wordShift: number;
  /** REC_FIELDS int32 per record; see the REC_* offsets. */
  keyTable: Int32Array;
  keyTableShift: number;
  /** Per word-key entry: the slot, and the offset of the key window in it. */
  entrySlot: Int32Array;
  entryOffset: Int32Array;
  /** Distinct pair keys (raw spellings) and word keys: bounds on the bits a scan can clear. */
  pairKeyCount: number;
  wordKeyCount: number;
}

export const SLOT_FIELDS = 4;
/** Scan epoch in which the slot was found (mutable). */
export const SLOT_DONE = 0;
export const SLOT_POOL = 1;
/** Pattern length | NOCASE_FLAG. */
export const SLOT_LENGTH = 2;
export const SLOT_IDS = 3;
export const NOCASE_FLAG = 1 << 30;

export const REC_FIELDS = 4;
export const REC_KEY = 0;
/** First entry of the key in entrySlot/entryOffset. */
export const REC_FIRST = 1;
/** count | REC_ALONE; 0 marks an empty record. */
export const REC_META = 2;
export const REC_COUNT_MASK = 0xffffff;
/** The key is the only one behind its bit. */
export const REC_ALONE = 1 << 24;

export { CONFIRM_MUL, HASH_MUL, MAX_SLOTS };
/** A 2-byte pattern whose first byte is more frequent than this is not keyed on that byte's row. */
const MAX_ROW_BYTE_RATE = 0.01;
/** Patterns of at least this many bytes are keyed on word windows, shorter ones on pairs. */
export const MIN_WORD_KEYED = 7;
/**
 * Up to this many patterns that would force probing the pairs at every position are searched
 * alone instead (one native search each, over the buffer, until found): a handful of such
 * searches costs less than slowing the whole scan.
 */
const MAX_SEARCHED_ALONE = 8;

/** The 4 bytes at `at` as the scan reads them: little-endian, first byte lowest. */
export function wordAt(bytes: Uint8Array, at: number): number {
  return (bytes[at + 3]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 1]! << 8) | bytes[at]!;
}

export function buildTables(slots: PatternSlots, maxLookahead: number, filterBits: number | undefined): PrefilterTables {
  const n = slots.count;
  const folded = new Uint8Array(slots.pool.length);
  for (let k = 0; k < folded.length; k++) folded[k] = FOLD[slots.pool[k]!]!;
  const counts = new WindowCounts(folded.length);
  for (let s = 0; s < n; s++) if (slots.length[s]! >= MIN_WORD_KEYED) counts.add(folded, slots.start[s]!, slots.length[s]!);

  const slotInfo = new Int32Array((n + 1) * SLOT_FIELDS);
  // The patterns that would need every position's pairs probed: searched alone when few.
  const alone: number[] = [];
  for (let s = 0; s < n; s++) {
    const len = slots.length[s]!;
    if (len === 1 || (len === 2 && 2 ** -BYTE_COST[folded[slots.start[s]!]!]! > MAX_ROW_BYTE_RATE)) alone.push(s);
  }
  if (alone.length > MAX_SEARCHED_ALONE) alone.length = 0;
  const searchedAlone = new Uint8Array(n);
  for (const s of alone) searchedAlone[s] = 1;
  const rows: number[][] = Array.from({ length: 256 }, () => []);
  // Pair entries as pair * 2^24 + entry number (exact in a double), sorted below.
  const pairKeys: number[] = [];
  const pairSlotList: number[] = [];
  const pairOffsetList: number[] = [];
  let everyPair = false;
  // Word keys: dense key numbers and the entries behind each.
  const keyNumber = new Map<number, number>();
  const keyWords: number[] = [];
  const entryKeyNumber: number[] = [];
  const entrySlotList: number[] = [];
  const entryOffsetList: number[] = [];
  for (let s = 0; s < n; s++) {
    const from = slots.start[s]!;
    const len = slots.length[s]!;
    const base = s * SLOT_FIELDS;
    const nocase = slots.nocase[s] !== 0;
    slotInfo[base + SLOT_POOL] = from;
    slotInfo[base + SLOT_LENGTH] = len | (nocase ? NOCASE_FLAG : 0);
    slotInfo[base + SLOT_IDS] = slots.idStart[s]!;
    if (searchedAlone[s] === 1) continue;
    if (len === 1) {
      everyPair = true;
      for (const b of spellings(slots.pool[from]!, nocase)) rows[b]!.push(s);
    } else if (len < MIN_WORD_KEYED) {
      let run = 0;
      let pairsInRun = 1;
      if (len === 2) {
        // At an odd offset from the scan start the pattern begins in the second byte of a
        // probed pair: its first byte's row catches it, unless that byte is a common one (then
        // the pairs at every position are probed instead).
        if (2 ** -BYTE_COST[folded[from]!]! > MAX_ROW_BYTE_RATE) everyPair = true;
        else for (const b of spellings(slots.pool[from]!, nocase)) rows[b]!.push(s);
      } else {
        run = choosePairRun(folded, from, len);
        pairsInRun = 2;
      }
      for (let r = 0; r < pairsInRun; r++) {
        const at = from + run + r;
        for (const later of spellings(slots.pool[at + 1]!, nocase)) {
          for (const earlier of spellings(slots.pool[at]!, nocase)) {
            pairKeys.push(((later << 8) | earlier) * 2 ** 24 + pairSlotList.length);
            pairSlotList.push(s);
            pairOffsetList.push(run + r);
          }
        }
      }
    } else {
      const run = chooseWindowRun(folded, from, len, 4, maxLookahead, counts);
      for (let r = 0; r < 4; r++) {
        const key = wordAt(folded, from + run + r);
        let k = keyNumber.get(key);
        if (k === undefined) {
          k = keyWords.length;
          keyNumber.set(key, k);
          keyWords.push(key);
        }
        entryKeyNumber.push(k);
        entrySlotList.push(s);
        entryOffsetList.push(run + r);
      }
    }
  }
  slotInfo[n * SLOT_FIELDS + SLOT_IDS] = slots.idStart[n]!;

  // Word entries grouped by key (counting sort on the key number).
  const keyCount = keyWords.length;
  const first = new Int32Array(keyCount + 1);
  for (const k of entryKeyNumber) first[k + 1]!++;
  for (let k = 0; k < keyCount; k++) first[k + 1]! += first[k]!;
  const fill = first.slice(0, keyCount);
  const entrySlot = new Int32Array(entryKeyNumber.length);
  const entryOffset = new Int32Array(entryKeyNumber.length);
  for (let e = 0; e < entryKeyNumber.length; e++) {
    const at = fill[entryKeyNumber[e]!]!++;
    entrySlot[at] = entrySlotList[e]!;
    entryOffset[at] = entryOffsetList[e]!;
  }

  // About 32 bits per key keeps false alarms near 3% per probe while the bitmap stays in L2
  // (the probe comes once per four bytes).
  const bits = filterBits ?? clamp(Math.ceil(Math.log2(Math.max(1, keyCount) * 64)), 16, 22);
  const wordShift = 32 - bits;
  const wordBits = new Int32Array(Math.max(1, 2 ** bits / 32));
  const keysPerBit = new Map<number, number>();
  for (const key of keyWords) {
    const h = Math.imul(key, HASH_MUL) >>> wordShift;
    wordBits[h >>> 5]! |= 1 << (h & 31);
    keysPerBit.set(h, (keysPerBit.get(h) ?? 0) + 1);
  }

  // Confirmation table at most half full, so probes stay short.
  const tableBits = Math.max(4, Math.ceil(Math.log2(Math.max(1, keyCount) * 2)));
  const keyTableShift = 32 - tableBits;
  const mask = (1 << tableBits) - 1;
  const keyTable = new Int32Array((1 << tableBits) * REC_FIELDS);
  for (let k = 0; k < keyCount; k++) {
    const key = keyWords[k]!;
    let r = Math.imul(key, CONFIRM_MUL) >>> keyTableShift;
    while (keyTable[r * REC_FIELDS + REC_META] !== 0) r = (r + 1) & mask;
    const at = r * REC_FIELDS;
    const alone = keysPerBit.get(Math.imul(key, HASH_MUL) >>> wordShift) === 1;
    keyTable[at + REC_KEY] = key;
    keyTable[at + REC_FIRST] = first[k]!;
    keyTable[at + REC_META] = (first[k + 1]! - first[k]!) | (alone ? REC_ALONE : 0);
  }

  const rowFirst = new Int32Array(257);
  for (let b = 0; b < 256; b++) rowFirst[b + 1] = rowFirst[b]! + rows[b]!.length;
  const rowList = Int32Array.from(rows.flat());

  // Pair entries in pair order; a slot appears under each spelling of its key pairs.
  const sortedPairs = Float64Array.from(pairKeys).sort();
  const pairSlot = new Int32Array(sortedPairs.length);
  const pairOffset = new Int32Array(sortedPairs.length);
  const pairFirst: number[] = [];
  const pairBitsOfPairs = new Int32Array(2048);
  let lastPair = -1;
  for (let k = 0; k < sortedPairs.length; k++) {
    const p = Math.floor(sortedPairs[k]! / 2 ** 24);
    const e = sortedPairs[k]! % 2 ** 24;
    pairSlot[k] = pairSlotList[e]!;
    pairOffset[k] = pairOffsetList[e]!;
    if (p !== lastPair) {
      pairFirst.push(k);
      pairBitsOfPairs[p >>> 5]! |= 1 << (p & 31);
      lastPair = p;
    }
  }
  pairFirst.push(sortedPairs.length);
  const pairBits = pairBitsOfPairs.slice();
  for (let b = 0; b < 256; b++) if (rows[b]!.length > 0) pairBits.fill(-1, b * 8, b * 8 + 8);

  return {
    count: n,
    slotInfo,
    pool: slots.pool,
    ids: slots.ids,
    rowFirst,
    rowList,
    pairBits,
    pairRank: rankTable(pairBitsOfPairs),
    pairFirst: Int32Array.from(pairFirst),
    pairSlot,
    pairOffset,
    everyPair,
    searchedAlone: Int32Array.from(alone),
    wordBits,
    wordShift,
    keyTable,
    keyTableShift,
    entrySlot,
    entryOffset,
    pairKeyCount: pairFirst.length - 1,
    wordKeyCount: keyCount,
  };
}

/**
 * Expected share of scan positions at which the pair keys of the 2-6 byte patterns occur in
 * traffic (by the byte model of key-selection.ts). Signatures' short patterns are often text
 * ("user", "ction"): in a large set their pairs are common ones, every few bytes would go to
 * verification, and the byte engine is the better choice. Stops adding once past `limit`.
 */
export function estimatePairHitRate(slots: PatternSlots, limit = Infinity): number {
  const folded = new Uint8Array(MIN_WORD_KEYED);
  const seen = new Set<number>();
  let rate = 0;
  for (let s = 0; s < slots.count && rate <= limit; s++) {
    const len = slots.length[s]!;
    if (len < 2 || len >= MIN_WORD_KEYED) continue;
    for (let j = 0; j < len; j++) folded[j] = FOLD[slots.pool[slots.start[s]! + j]!]!;
    if (len === 2 && 2 ** -BYTE_COST[folded[0]!]! <= MAX_ROW_BYTE_RATE) rate += 2 ** -BYTE_COST[folded[0]!]! / 2;
    const run = len === 2 ? 0 : choosePairRun(folded, 0, len);
    for (let r = 0; r < (len === 2 ? 1 : 2); r++) {
      const pair = (folded[run + r]! << 8) | folded[run + r + 1]!;
      if (seen.has(pair)) continue;
      seen.add(pair);
      rate += 2 ** -(BYTE_COST[pair >>> 8]! + BYTE_COST[pair & 0xff]!);
    }
  }
  return rate;
}

/**
 * Offset of the run of two consecutive byte pairs a 3-6 byte pattern is keyed on: the run with
 * the lowest expected number of hits (sum of 2^-rarity of its pairs); on ties the later one.
 */
export function choosePairRun(folded: Uint8Array, from: number, length: number): number {
  let best = length - 3;
  let bestCost = Infinity;
  for (let o = length - 3; o >= 0; o--) {
    const c = 2 ** -windowRarity(folded, from, o, 2, 1) + 2 ** -windowRarity(folded, from, o + 1, 2, 1);
    if (c < bestCost) {
      bestCost = c;
      best = o;
    }
  }
  return best;
}
