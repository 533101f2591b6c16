/**
 * Counting windows for event filters, rate filters and escalations, kept in a capped table.
 *
 * Each tracked key (a key space, i.e. a statement or a statement and rule, plus an address or
 * pair) owns one slot: a record of five float64 in one slab, holding the key (as int32 words
 * through a view of the same memory: its space times 2, plus 1 for a numeric key; the numbers a,
 * b of a numeric key) and its used bit next to its window (when it started, how many hits it
 * holds, and a mark whose meaning depends on the statement: rate_filter, when the new action was
 * switched on; escalate, when it escalated). Slots are found through an open-addressing index
 * (linear probing, deletion by backward shift, so no tombstones) whose buckets hold the key's
 * hash next to the slot, so a probe compares hashes without touching the records, and a hit
 * costs about two memory fetches: its bucket, then its record (key check, used bit and window
 * update in one place). The key is two numbers (an IPv4 address, or an unordered pair of them)
 * when the caller has them, else text (IPv6, flows, rules), so a new key costs no object and a
 * lookup hashes no string. Past `max` slots, the least recently used key (approximately: the
 * clock algorithm, which gives a slot used since the hand last passed a second chance) is
 * dropped and counted; a dropped key simply starts counting afresh if it comes back. (lru-cache,
 * then one Map per statement, then parallel arrays per field, were measured here first:
 * bookkeeping on every new key, then one cache miss per field, were most of the correlator's
 * time. Records kept in the buckets themselves, one fetch per hit but a table twice the size,
 * measured slower.) Time is never read from the clock: windows expire by comparing event timestamps.
 */

/** A key space: an integer handed out by WindowTable.space(). */
export type KeySpace = number;

const INITIAL = 1024;
const US = 1_000_000;

/** float64 per slot record, and where each field lives (int32 word w of slot i: i * STRIDE * 2 + w). */
const STRIDE = 5;
const W_TAG = 0;
const W_A = 1;
const W_B = 2;
/** Set when the key is used; the clock clears it as its hand passes (second chance). */
const W_REF = 3;
const F_START = 2;
const F_COUNT = 3;
const F_MARK = 4;

/** FNV-1a over the UTF-16 code units, mixed with the key space. */
function hashKey(space: number, key: string): number {
  let h = (0x811c9dc5 ^ Math.imul(space, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** A numeric key (two uint32) mixed with the key space (murmur3's finalizer spreads the bits). */
function hashNumbers(space: number, a: number, b: number): number {
  let h = Math.imul(space, 0x9e3779b1) ^ a ^ Math.imul(b, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class WindowTable {
  evictions = 0;
  private allocated = 0;
  private used = 0;
  private hand = 0;
  private spaces = 0;
  /** Slot records, STRIDE float64 each: the window fields are read and written through here. */
  rec: Float64Array = new Float64Array(0);
  /** The same memory as int32 words: the key fields (tag, a, b) and the used bit. */
  private words: Int32Array = new Int32Array(0);
  /** Text keys (undefined for a numeric key; let go when their slot is taken over). */
  private keys: Array<string | undefined> = [];
  /** Set by acquire / acquireNumbers: whether the slot was just created for the key. */
  fresh = false;
  /** Open-addressing index, two int32 per bucket: the key's hash, then slot + 1 (0: empty). Twice the slots, so probes stay short. */
  private index: Int32Array = new Int32Array(0);
  private mask = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error('WindowTable needs room for at least one key');
  }

  get size(): number {
    return this.used;
  }

  /** A new key space (one per statement, or per statement and rule). */
  space(): KeySpace {
    return this.spaces++;
  }

  /** Hits counted in slot i's window. */
  countOf(i: number): number {
    return this.rec[i * STRIDE + F_COUNT]!;
  }

  /** When slot i's window started (event time, microseconds). */
  startOf(i: number): number {
    return this.rec[i * STRIDE + F_START]!;
  }

  /** The slot of `key` in `space`, or -1; marks the key as used. */
  find(space: KeySpace, key: string): number {
    const i = this.locate(space, key);
    if (i >= 0) this.words[i * (STRIDE * 2) + W_REF] = 1;
    return i;
  }

  /** Whether `key` is in the table, without marking it as used (the eviction order stays as it is). */
  has(space: KeySpace, key: string): boolean {
    return this.locate(space, key) >= 0;
  }

  private locate(space: KeySpace, key: string): number {
    if (this.used === 0) return -1;
    const h = hashKey(space, key);
    const mask = this.mask;
    const index = this.index;
    const tag = space * 2;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = index[p * 2 + 1]!;
      if (e === 0) return -1;
      if (index[p * 2] === h) {
        const i = e - 1;
        if (this.words[i * (STRIDE * 2) + W_TAG] === tag && this.keys[i] === key) return i;
      }
    }
  }

  /** The slot of the numeric key (a, b) in `space`, or -1; marks the key as used. a and b are int32. */
  findNumbers(space: KeySpace, a: number, b: number): number {
    if (this.used === 0) return -1;
    return this.findHashed(hashNumbers(space, a, b), space * 2 + 1, a, b);
  }

  private findHashed(h: number, tag: number, a: number, b: number): number {
    const mask = this.mask;
    const index = this.index;
    const words = this.words;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = index[p * 2 + 1]!;
      if (e === 0) return -1;
      if (index[p * 2] === h) {
        const i = e - 1;
        const w = i * (STRIDE * 2);
        if (words[w + W_A] === a && words[w + W_B] === b && words[w + W_TAG] === tag) {
          words[w + W_REF] = 1;
          return i;
        }
      }
    }
  }

  /**
   * The slot of `key`, created if missing; `fresh` says which. A fresh slot's window is not
   * open yet: the window function given the slot opens it (WindowTable.open).
   */
  acquire(space: KeySpace, key: string): number {
    const i = this.find(space, key);
    this.fresh = i < 0;
    return i < 0 ? this.create(space, key) : i;
  }

  /**
   * acquire for a numeric key (a, b), both int32 (an IPv4 address as `n | 0`). Small integers
   * and no timestamp: arguments that need no boxing when the call is not inlined.
   */
  acquireNumbers(space: KeySpace, a: number, b: number): number {
    const h = hashNumbers(space, a, b);
    const tag = space * 2 + 1;
    if (this.used !== 0) {
      const i = this.findHashed(h, tag, a, b);
      if (i >= 0) {
        this.fresh = false;
        return i;
      }
    }
    this.fresh = true;
    const s = this.claim();
    const w = s * (STRIDE * 2);
    this.words[w + W_TAG] = tag;
    this.words[w + W_A] = a;
    this.words[w + W_B] = b;
    this.fill(s, h);
    return s;
  }

  /** A slot for `key` (not in the table); its window is not open yet. */
  create(space: KeySpace, key: string): number {
    const i = this.claim();
    this.keys[i] = key;
    const w = i * (STRIDE * 2);
    this.words[w + W_TAG] = space * 2;
    this.words[w + W_A] = 0;
    this.words[w + W_B] = 0;
    this.fill(i, hashKey(space, key));
    return i;
  }

  /** Starts slot i's window at tsUs with one hit (and no mark). */
  open(i: number, tsUs: number): void {
    const f = i * STRIDE;
    this.rec[f + F_START] = tsUs;
    this.rec[f + F_COUNT] = 1;
    this.rec[f + F_MARK] = -1;
  }

  /** A free slot: the next unused one, or the clock's victim once the table is full. */
  private claim(): number {
    let i: number;
    if (this.used < this.max) {
      if (this.used === this.allocated) this.grow();
      i = this.used++;
    } else {
      // Clock: skip (and clear) slots used since the hand last passed, drop the first one that was not.
      const words = this.words;
      let hand = this.hand;
      while (words[hand * (STRIDE * 2) + W_REF] === 1) {
        words[hand * (STRIDE * 2) + W_REF] = 0;
        hand = hand + 1 === this.max ? 0 : hand + 1;
      }
      i = hand;
      this.hand = hand + 1 === this.max ? 0 : hand + 1;
      this.unindex(i);
      // A text key's string is let go now, so a numeric key taking the slot needs no write there.
      if ((words[i * (STRIDE * 2) + W_TAG]! & 1) === 0) this.keys[i] = undefined;
      this.evictions++;
    }
    return i;
  }

  private fill(i: number, h: number): void {
    this.words[i * (STRIDE * 2) + W_REF] = 0;
    const mask = this.mask;
    const index = this.index;
    let p = h & mask;
    while (index[p * 2 + 1] !== 0) p = (p + 1) & mask;
    index[p * 2] = h;
    index[p * 2 + 1] = i + 1;
  }

  /** The hash of slot i's key, worked out again from the key (only evictions need it). */
  private hashOf(i: number): number {
    const w = i * (STRIDE * 2);
    const tag = this.words[w + W_TAG]!;
    const space = tag >>> 1;
    return (tag & 1) === 1 ? hashNumbers(space, this.words[w + W_A]!, this.words[w + W_B]!) : hashKey(space, this.keys[i]!);
  }

  /** Removes slot i from the index, shifting later entries of its probe run back (no tombstones). */
  private unindex(i: number): void {
    const mask = this.mask;
    const index = this.index;
    let p = this.hashOf(i) & mask;
    while (index[p * 2 + 1] !== i + 1) p = (p + 1) & mask;
    let hole = p;
    for (let q = (hole + 1) & mask; ; q = (q + 1) & mask) {
      const e = index[q * 2 + 1]!;
      if (e === 0) break;
      const h = index[q * 2]!;
      const home = h & mask;
      // Move the entry into the hole unless its home lies cyclically in (hole, q].
      if (hole <= q ? home <= hole || home > q : home <= hole && home > q) {
        index[hole * 2] = h;
        index[hole * 2 + 1] = e;
        hole = q;
      }
    }
    index[hole * 2] = 0;
    index[hole * 2 + 1] = 0;
  }

  private grow(): void {
    const n = Math.min(this.max, Math.max(INITIAL, this.allocated * 2));
    const rec = new Float64Array(n * STRIDE);
    rec.set(this.rec);
    this.rec = rec;
    this.words = new Int32Array(rec.buffer);
    this.allocated = n;
    // Rebuild the index at twice the slot count (a power of two).
    let size = 1;
    while (size < n * 2) size <<= 1;
    const old = this.index;
    const index = new Int32Array(size * 2);
    const mask = size - 1;
    for (let q = 1; q < old.length; q += 2) {
      const e = old[q]!;
      if (e === 0) continue;
      const h = old[q - 1]!;
      let p = h & mask;
      while (index[p * 2 + 1] !== 0) p = (p + 1) & mask;
      index[p * 2] = h;
      index[p * 2 + 1] = e;
    }
    this.index = index;
    this.mask = mask;
  }
}

/**
 * Snort/Suricata `type limit`: the first `count` hits of each window pass, the rest are dropped.
 * A window runs from its first hit for `seconds` (inclusive, as Suricata compares), then the next hit opens a new one.
 * The `...At` forms take the key's slot from WindowTable.acquire / acquireNumbers (`fresh`: just
 * created, so its first window opens at this hit).
 */
export function limitAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  const r = t.rec;
  const f = i * STRIDE;
  if (!fresh && tsUs <= r[f + F_START]! + seconds * US) return ++r[f + F_COUNT]! <= count;
  r[f + F_START] = tsUs;
  r[f + F_COUNT] = 1;
  r[f + F_MARK] = -1;
  return true;
}

/** `type threshold`: every `count`-th hit within a window passes (the counter restarts after each). */
export function thresholdAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  const r = t.rec;
  const f = i * STRIDE;
  if (!fresh && tsUs <= r[f + F_START]! + seconds * US) r[f + F_COUNT]!++;
  else {
    r[f + F_START] = tsUs;
    r[f + F_COUNT] = 1;
    r[f + F_MARK] = -1;
  }
  if (r[f + F_COUNT]! >= count) {
    r[f + F_COUNT] = 0;
    return true;
  }
  return false;
}

/** `type both`: the `count`-th hit of a window passes, once; everything else in the window is dropped. */
export function bothAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  const r = t.rec;
  const f = i * STRIDE;
  if (!fresh && tsUs <= r[f + F_START]! + seconds * US) return ++r[f + F_COUNT]! === count;
  r[f + F_START] = tsUs;
  r[f + F_COUNT] = 1;
  r[f + F_MARK] = -1;
  return count === 1;
}

/**
 * rate_filter: true while the new action is in force. It switches on at the hit that takes the
 * window past `count` hits, and stays on for `timeout` seconds from then (0: for good, as in
 * Snort); the hit after that opens a fresh window.
 */
export function rateAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, timeout: number, tsUs: number): boolean {
  const r = t.rec;
  const f = i * STRIDE;
  if (!fresh) {
    const mark = r[f + F_MARK]!;
    if (mark >= 0) {
      if (timeout === 0 || tsUs - mark <= timeout * US) return true;
    } else if (tsUs <= r[f + F_START]! + seconds * US) {
      if (++r[f + F_COUNT]! > count) {
        r[f + F_MARK] = tsUs;
        return true;
      }
      return false;
    }
  }
  r[f + F_START] = tsUs;
  r[f + F_COUNT] = 1;
  r[f + F_MARK] = -1;
  return false;
}

export const ESCALATE_BELOW = 0;
export const ESCALATE_TRIGGER = 1;
export const ESCALATE_MERGED = 2;
export type EscalateOutcome = typeof ESCALATE_BELOW | typeof ESCALATE_TRIGGER | typeof ESCALATE_MERGED;

/**
 * kanshi's escalate: the `count`-th hit of a window triggers the escalated event; hits after it
 * in the same window are merged into that event instead of being shown again.
 */
export function escalateAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): EscalateOutcome {
  const r = t.rec;
  const f = i * STRIDE;
  if (!fresh && tsUs <= r[f + F_START]! + seconds * US) {
    r[f + F_COUNT]!++;
    if (r[f + F_MARK]! >= 0) return ESCALATE_MERGED;
  } else {
    r[f + F_START] = tsUs;
    r[f + F_COUNT] = 1;
    r[f + F_MARK] = -1;
  }
  if (r[f + F_COUNT]! >= count) {
    r[f + F_MARK] = tsUs;
    return ESCALATE_TRIGGER;
  }
  return ESCALATE_BELOW;
}

/** limitAt for a text key. */
export function limitPasses(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): boolean {
  const i = t.acquire(space, key);
  return limitAt(t, i, t.fresh, count, seconds, tsUs);
}

/** thresholdAt for a text key. */
export function thresholdPasses(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): boolean {
  const i = t.acquire(space, key);
  return thresholdAt(t, i, t.fresh, count, seconds, tsUs);
}

/** bothAt for a text key. */
export function bothPasses(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): boolean {
  const i = t.acquire(space, key);
  return bothAt(t, i, t.fresh, count, seconds, tsUs);
}

/** rateAt for a text key. */
export function rateExceeded(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, timeout: number, tsUs: number): boolean {
  const i = t.acquire(space, key);
  return rateAt(t, i, t.fresh, count, seconds, timeout, tsUs);
}

/** escalateAt for a text key. */
export function escalateHit(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): EscalateOutcome {
  const i = t.acquire(space, key);
  return escalateAt(t, i, t.fresh, count, seconds, tsUs);
}
