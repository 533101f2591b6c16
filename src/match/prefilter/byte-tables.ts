import { FOLD } from './ascii.js';
import { chooseKeyOffset, WindowCounts } from './key-selection.js';
import type { PatternSlots } from './patterns.js';
import { CONFIRM_MUL, HASH_MUL, MAX_SLOTS, clamp, rankTable, spellings } from './table-bits.js';

/**
 * The prefilter's tables, as flat typed arrays laid out for the two hot paths.
 *
 * The scan keeps a rolling word of the last four folded bytes, newest in the top byte:
 *   w = b[i] << 24 | b[i-1] << 16 | b[i-2] << 8 | b[i-3].
 * Alongside, the last two bytes as they are (not folded): p = raw[i] << 8 | raw[i-1].
 * - `pairBits` has a bit per value of p: set when a 2-3 byte pattern is keyed on that pair in
 *   some spelling it matches, or when a 1-byte pattern matches raw[i] (all 256 pairs ending in
 *   that byte: 8 whole words). Unfolded, so "CTT" is not verified at every "ct" of a web page.
 * - `quadBits` has a bit per hash of w: set when a pattern of 4+ bytes is keyed on w. A set bit
 *   is confirmed in `quadTable`, an open-addressing table from key word to its patterns, which
 *   usually answers in one cache line (most set bits seen in traffic are false alarms or keys
 *   whose neighbouring bytes differ).
 *
 * Patterns ("slots") are renumbered so that those sharing a key are consecutive.
 */
export interface PrefilterTables {
  count: number;
  /** SLOT_FIELDS int32 per slot, plus one sentinel row; see the SLOT_* offsets. */
  slotInfo: Int32Array;
  /** Bytes to compare, slot after slot: folded for nocase slots, exact otherwise. */
  pool: Uint8Array;
  /** Ids of slot s: ids[slotInfo[s*F + SLOT_IDS] .. slotInfo[(s+1)*F + SLOT_IDS]). */
  ids: Uint32Array;
  /** Slots of the 1-byte patterns matching raw byte b: singleList[singleFirst[b] .. singleFirst[b+1]). */
  singleFirst: Int32Array;
  singleList: Int32Array;
  pairBits: Int32Array;
  /** Per pairBits word: [bits of 2-3 byte keys only, number of such keys in earlier words]. */
  pairRank: Int32Array;
  /** Slots keyed on the r-th raw pair (in pair order): pairList[pairFirst[r] .. pairFirst[r+1]). */
  pairFirst: Int32Array;
  pairList: Int32Array;
  quadShift: number;
  quadBits: Int32Array;
  /** QUAD_FIELDS int32 per record; see the QUAD_* offsets. */
  quadTable: Int32Array;
  quadTableShift: number;
  /** Distinct pair keys (raw spellings) and quad keys: bounds on the bits a scan can clear. */
  pairKeyCount: number;
  quadKeyCount: number;
}

export const SLOT_FIELDS = 8;
/** Key: 4+ bytes: the folded key window in the rolling word's byte order; 2-3 bytes: the folded pair. */
export const SLOT_KEY = 0;
/** Offset of the key window in the pattern. */
export const SLOT_KEY_OFFSET = 1;
/**
 * 4+ bytes: the folded 4 bytes next to the key (see checkDelta); 1-3 bytes: the pattern itself,
 * packed little-endian as stored (folded when nocase).
 */
export const SLOT_CHECK = 2;
/** Scan epoch in which the slot was found (mutable). */
export const SLOT_DONE = 3;
export const SLOT_POOL = 4;
export const SLOT_LENGTH = 5;
export const SLOT_NOCASE = 6;
export const SLOT_IDS = 7;

export const QUAD_FIELDS = 4;
export const QUAD_KEY = 0;
export const QUAD_FIRST = 1;
/** count | ALONE | check delta code << 25; 0 marks an empty record. */
export const QUAD_META = 2;
/** The first slot's SLOT_CHECK, so a single-pattern key can be rejected without its slot row. */
export const QUAD_CHECK = 3;
export const QUAD_COUNT_MASK = 0xffffff;
/** The key is the only one behind its quadBits bit. */
export const QUAD_ALONE = 1 << 24;
export const QUAD_DELTA_SHIFT = 25;

export { CONFIRM_MUL, HASH_MUL, MAX_SLOTS };

/** Where a slot's check window starts relative to its key: -4, +4, or 0 when it has none. */
export function checkDelta(keyOffset: number, length: number): number {
  if (keyOffset >= 4) return -4;
  if (length - keyOffset >= 8) return 4;
  return 0;
}

/** checkDelta as a 2-bit code for QUAD_META. */
export function deltaFromCode(code: number): number {
  return code === 1 ? -4 : code === 2 ? 4 : 0;
}

function word4(bytes: Uint8Array, at: number): number {
  return (bytes[at + 3]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 1]! << 8) | bytes[at]!;
}

const enum Table {
  Single = 0,
  Pair = 1,
  Quad = 2,
}

export function buildTables(slots: PatternSlots, maxLookahead: number, quadFilterBits: number | undefined): PrefilterTables {
  const n = slots.count;
  const folded = new Uint8Array(slots.pool.length);
  for (let k = 0; k < folded.length; k++) folded[k] = FOLD[slots.pool[k]!]!;
  const counts = new WindowCounts(folded.length);
  for (let s = 0; s < n; s++) counts.add(folded, slots.start[s]!, slots.length[s]!);

  const table = new Uint8Array(n);
  const key = new Int32Array(n);
  const keyOffset = new Int32Array(n);
  const quadKeys = new Set<number>();
  for (let s = 0; s < n; s++) {
    const from = slots.start[s]!;
    const len = slots.length[s]!;
    if (len === 1) {
      table[s] = Table.Single;
      key[s] = folded[from]!;
    } else if (len <= 3) {
      table[s] = Table.Pair;
      const o = chooseKeyOffset(folded, from, len, 2, 1, null);
      keyOffset[s] = o;
      key[s] = (folded[from + o + 1]! << 8) | folded[from + o]!;
    } else {
      table[s] = Table.Quad;
      const o = chooseKeyOffset(folded, from, len, 4, maxLookahead, counts);
      keyOffset[s] = o;
      key[s] = word4(folded, from + o);
      quadKeys.add(key[s]!);
    }
  }

  // Table order: singles by byte, pairs by key, quads by key, each stable. A numeric sort of
  // key * 2^21 + slot is exact in a double (32 + 21 bits) and avoids a comparator.
  const order = new Int32Array(n);
  let placed = 0;
  for (const kind of [Table.Single, Table.Pair, Table.Quad]) {
    const group: number[] = [];
    for (let s = 0; s < n; s++) if (table[s] === kind) group.push((key[s]! >>> 0) * MAX_SLOTS + s);
    const sorted = Float64Array.from(group).sort();
    for (let k = 0; k < sorted.length; k++) order[placed++] = sorted[k]! % MAX_SLOTS;
  }

  const slotInfo = new Int32Array((n + 1) * SLOT_FIELDS);
  const pool = new Uint8Array(slots.pool.length);
  const ids = new Uint32Array(slots.ids.length);
  const singleRows: number[][] = Array.from({ length: 256 }, () => []);
  const pairEntries: number[] = [];
  const quadGroups: Array<[key: number, first: number, count: number]> = [];
  let poolAt = 0;
  let idAt = 0;
  for (let t = 0; t < n; t++) {
    const s = order[t]!;
    const from = slots.start[s]!;
    const len = slots.length[s]!;
    const base = t * SLOT_FIELDS;
    slotInfo[base + SLOT_KEY] = key[s]!;
    slotInfo[base + SLOT_KEY_OFFSET] = keyOffset[s]!;
    if (table[s] === Table.Quad) {
      const d = checkDelta(keyOffset[s]!, len);
      if (d !== 0) slotInfo[base + SLOT_CHECK] = word4(folded, from + keyOffset[s]! + d);
      const last = quadGroups[quadGroups.length - 1];
      if (last && last[0] === key[s]) last[2]++;
      else quadGroups.push([key[s]!, t, 1]);
    } else {
      let packed = 0;
      for (let j = len - 1; j >= 0; j--) packed = (packed << 8) | slots.pool[from + j]!;
      slotInfo[base + SLOT_CHECK] = packed;
      const nocase = slots.nocase[s] !== 0;
      if (table[s] === Table.Single) {
        for (const b of spellings(slots.pool[from]!, nocase)) singleRows[b]!.push(t);
      } else {
        const at = from + keyOffset[s]!;
        for (const later of spellings(slots.pool[at + 1]!, nocase)) {
          for (const earlier of spellings(slots.pool[at]!, nocase)) pairEntries.push(((later << 8) | earlier) * MAX_SLOTS + t);
        }
      }
    }
    slotInfo[base + SLOT_POOL] = poolAt;
    slotInfo[base + SLOT_LENGTH] = len;
    slotInfo[base + SLOT_NOCASE] = slots.nocase[s]!;
    slotInfo[base + SLOT_IDS] = idAt;
    pool.set(slots.pool.subarray(from, from + len), poolAt);
    poolAt += len;
    for (let k = slots.idStart[s]!; k < slots.idStart[s + 1]!; k++) ids[idAt++] = slots.ids[k]!;
  }
  slotInfo[n * SLOT_FIELDS + SLOT_IDS] = idAt;
  const singleFirst = new Int32Array(257);
  for (let b = 0; b < 256; b++) singleFirst[b + 1] = singleFirst[b]! + singleRows[b]!.length;
  const singleList = Int32Array.from(singleRows.flat());

  // Pair rows in pair order; a slot appears under each spelling of its key.
  const sortedPairs = Float64Array.from(pairEntries).sort();
  const pairList = new Int32Array(sortedPairs.length);
  const pairFirst: number[] = [];
  const pairBitsOfPairs = new Int32Array(2048);
  let lastPair = -1;
  for (let k = 0; k < sortedPairs.length; k++) {
    const p = Math.floor(sortedPairs[k]! / MAX_SLOTS);
    pairList[k] = sortedPairs[k]! % MAX_SLOTS;
    if (p !== lastPair) {
      pairFirst.push(k);
      pairBitsOfPairs[p >>> 5]! |= 1 << (p & 31);
      lastPair = p;
    }
  }
  pairFirst.push(sortedPairs.length);

  const pairBits = pairBitsOfPairs.slice();
  for (let b = 0; b < 256; b++) if (singleRows[b]!.length > 0) pairBits.fill(-1, b * 8, b * 8 + 8);

  // About 64 filter bits per key keeps false alarms near 1% while the bitmap stays in L2.
  const bits = quadFilterBits ?? clamp(Math.ceil(Math.log2(Math.max(1, quadKeys.size) * 64)), 10, 21);
  const quadShift = 32 - bits;
  const quadBits = new Int32Array(Math.max(1, (1 << bits) >>> 5));
  const keysPerBit = new Map<number, number>();
  for (const [k] of quadGroups) {
    const h = Math.imul(k, HASH_MUL) >>> quadShift;
    quadBits[h >>> 5]! |= 1 << (h & 31);
    keysPerBit.set(h, (keysPerBit.get(h) ?? 0) + 1);
  }

  // Confirmation table at most half full, so probes stay short.
  const tableBits = Math.max(4, Math.ceil(Math.log2(Math.max(1, quadGroups.length) * 2)));
  const quadTableShift = 32 - tableBits;
  const mask = (1 << tableBits) - 1;
  const quadTable = new Int32Array((1 << tableBits) * QUAD_FIELDS);
  for (const [k, first, count] of quadGroups) {
    let r = Math.imul(k, CONFIRM_MUL) >>> quadTableShift;
    while (quadTable[r * QUAD_FIELDS + QUAD_META] !== 0) r = (r + 1) & mask;
    const at = r * QUAD_FIELDS;
    const firstSlot = first * SLOT_FIELDS;
    const d = checkDelta(slotInfo[firstSlot + SLOT_KEY_OFFSET]!, slotInfo[firstSlot + SLOT_LENGTH]!);
    const alone = keysPerBit.get(Math.imul(k, HASH_MUL) >>> quadShift) === 1;
    quadTable[at + QUAD_KEY] = k;
    quadTable[at + QUAD_FIRST] = first;
    quadTable[at + QUAD_META] = count | (alone ? QUAD_ALONE : 0) | ((d === -4 ? 1 : d === 4 ? 2 : 0) << QUAD_DELTA_SHIFT);
    quadTable[at + QUAD_CHECK] = slotInfo[firstSlot + SLOT_CHECK]!;
  }

  return {
    count: n,
    slotInfo,
    pool,
    ids,
    singleFirst,
    singleList,
    pairBits,
    pairRank: rankTable(pairBitsOfPairs),
    pairFirst: Int32Array.from(pairFirst),
    pairList,
    quadShift,
    quadBits,
    quadTable,
    quadTableShift,
    pairKeyCount: pairFirst.length - 1,
    quadKeyCount: quadGroups.length,
  };
}
