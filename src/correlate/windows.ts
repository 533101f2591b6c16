/**
 * Counting windows for event filters, rate filters and escalations, kept in a capped table.
 *
 * Each tracked key (a key space, i.e. a statement or a statement and rule, plus an address or
 * pair) owns one slot of a slab of typed arrays: when the window started, how many hits it
 * holds, and a mark whose meaning depends on the statement (rate_filter: when the new action was
 * switched on; escalate: when it escalated). Slots are found through an open-addressing index
 * (linear probing, deletion by backward shift, so no tombstones) over a hash of the key: two
 * numbers (an IPv4 address, or an unordered pair of them, as uint32) when the caller has them,
 * else text (IPv6, flows, rules), so a new key costs no object and a lookup hashes no string. Past
 * `max` slots, the least recently used key (approximately: the clock algorithm, which gives a
 * slot used since the hand last passed a second chance) is dropped and counted; a dropped key
 * simply starts counting afresh if it comes back. (lru-cache, then one Map per statement, were
 * measured here first: their bookkeeping on every new key was most of the correlator's time.)
 * Time is never read from the clock: windows expire by comparing event timestamps.
 */

/** A key space: an integer handed out by WindowTable.space(). */
export type KeySpace = number;

const INITIAL = 1024;
const US = 1_000_000;

/** FNV-1a over the UTF-16 code units, mixed with the key space. */
function hashKey(space: number, key: string): number {
  let h = (0x811c9dc5 ^ Math.imul(space, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A numeric key (two uint32) mixed with the key space (murmur3's finalizer spreads the bits). */
function hashNumbers(space: number, a: number, b: number): number {
  let h = Math.imul(space, 0x9e3779b1) ^ a ^ Math.imul(b, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class WindowTable {
  evictions = 0;
  private allocated = 0;
  private used = 0;
  private hand = 0;
  private spaces = 0;
  startUs: Float64Array = new Float64Array(0);
  count: Float64Array = new Float64Array(0);
  markUs: Float64Array = new Float64Array(0);
  private referenced: Uint8Array = new Uint8Array(0);
  /**
   * Per slot, 4 words side by side (one memory fetch checks a key): the key's hash, its space
   * times 2 plus 1 for a numeric key, and the numbers a, b of a numeric key.
   */
  private keyRec: Uint32Array = new Uint32Array(0);
  /** Text keys (undefined for a numeric key). */
  private keys: Array<string | undefined> = [];
  /** Set by acquire / acquireNumbers: whether the slot was just created for the key. */
  fresh = false;
  /** Open-addressing index: slot + 1, 0 when empty. Twice the slots, so probes stay short. */
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

  /** The slot of `key` in `space`, or -1. */
  find(space: KeySpace, key: string): number {
    if (this.used === 0) return -1;
    const h = hashKey(space, key);
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = this.index[p]!;
      if (e === 0) return -1;
      const i = e - 1;
      const r = i * 4;
      if (this.keyRec[r] === h && this.keyRec[r + 1] === space * 2 && this.keys[i] === key) {
        this.referenced[i] = 1;
        return i;
      }
    }
  }

  /** The slot of the numeric key (a, b) in `space`, or -1. a and b are uint32. */
  findNumbers(space: KeySpace, a: number, b: number): number {
    if (this.used === 0) return -1;
    const h = hashNumbers(space, a, b);
    const mask = this.mask;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const e = this.index[p]!;
      if (e === 0) return -1;
      const i = e - 1;
      const r = i * 4;
      if (this.keyRec[r] === h && this.keyRec[r + 2] === a && this.keyRec[r + 3] === b && this.keyRec[r + 1] === space * 2 + 1) {
        this.referenced[i] = 1;
        return i;
      }
    }
  }

  /** The slot of `key`, created (with one hit at tsUs) if missing; `fresh` says which. */
  acquire(space: KeySpace, key: string, tsUs: number): number {
    const i = this.find(space, key);
    this.fresh = i < 0;
    return i < 0 ? this.create(space, key, tsUs) : i;
  }

  /** acquire for a numeric key (a, b), both uint32. */
  acquireNumbers(space: KeySpace, a: number, b: number, tsUs: number): number {
    const i = this.findNumbers(space, a, b);
    if (i >= 0) {
      this.fresh = false;
      return i;
    }
    this.fresh = true;
    const s = this.claim();
    this.keys[s] = undefined;
    this.keyRec[s * 4 + 1] = space * 2 + 1;
    this.keyRec[s * 4 + 2] = a;
    this.keyRec[s * 4 + 3] = b;
    this.fill(s, hashNumbers(space, a, b), tsUs);
    return s;
  }

  /** A fresh window for `key` (not in the table), starting at tsUs with one hit. */
  create(space: KeySpace, key: string, tsUs: number): number {
    const i = this.claim();
    this.keys[i] = key;
    this.keyRec[i * 4 + 1] = space * 2;
    this.fill(i, hashKey(space, key), tsUs);
    return i;
  }

  /** A free slot: the next unused one, or the clock's victim once the table is full. */
  private claim(): number {
    let i: number;
    if (this.used < this.max) {
      if (this.used === this.allocated) this.grow();
      i = this.used++;
    } else {
      // Clock: skip (and clear) slots used since the hand last passed, drop the first one that was not.
      while (this.referenced[this.hand] === 1) {
        this.referenced[this.hand] = 0;
        this.hand = this.hand + 1 === this.max ? 0 : this.hand + 1;
      }
      i = this.hand;
      this.hand = this.hand + 1 === this.max ? 0 : this.hand + 1;
      this.unindex(i);
      this.evictions++;
    }
    return i;
  }

  private fill(i: number, h: number, tsUs: number): void {
    this.keyRec[i * 4] = h;
    this.startUs[i] = tsUs;
    this.count[i] = 1;
    this.markUs[i] = -1;
    this.referenced[i] = 0;
    let p = h & this.mask;
    while (this.index[p] !== 0) p = (p + 1) & this.mask;
    this.index[p] = i + 1;
  }

  /** Removes slot i from the index, shifting later entries of its probe run back (no tombstones). */
  private unindex(i: number): void {
    const mask = this.mask;
    let p = this.keyRec[i * 4]! & mask;
    while (this.index[p] !== i + 1) p = (p + 1) & mask;
    let hole = p;
    for (let q = (hole + 1) & mask; ; q = (q + 1) & mask) {
      const e = this.index[q]!;
      if (e === 0) break;
      const home = this.keyRec[(e - 1) * 4]! & mask;
      // Move e into the hole unless its home lies cyclically in (hole, q].
      if (hole <= q ? home <= hole || home > q : home <= hole && home > q) {
        this.index[hole] = e;
        hole = q;
      }
    }
    this.index[hole] = 0;
  }

  private grow(): void {
    const n = Math.min(this.max, Math.max(INITIAL, this.allocated * 2));
    const f64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.startUs = f64(this.startUs);
    this.count = f64(this.count);
    this.markUs = f64(this.markUs);
    const r = new Uint8Array(n);
    r.set(this.referenced);
    this.referenced = r;
    const rec = new Uint32Array(n * 4);
    rec.set(this.keyRec);
    this.keyRec = rec;
    this.allocated = n;
    // Rebuild the index at twice the slot count (a power of two).
    let size = 1;
    while (size < n * 2) size <<= 1;
    this.index = new Int32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < this.used; i++) {
      let p = this.keyRec[i * 4]! & this.mask;
      while (this.index[p] !== 0) p = (p + 1) & this.mask;
      this.index[p] = i + 1;
    }
  }
}

/**
 * Snort/Suricata `type limit`: the first `count` hits of each window pass, the rest are dropped.
 * A window runs from its first hit for `seconds` (inclusive, as Suricata compares), then the next hit opens a new one.
 * The `...At` forms take the key's slot from WindowTable.acquire / acquireNumbers (`fresh`: just created).
 */
export function limitAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  if (fresh) return true;
  if (tsUs <= t.startUs[i]! + seconds * US) return ++t.count[i]! <= count;
  t.startUs[i] = tsUs;
  t.count[i] = 1;
  return true;
}

/** `type threshold`: every `count`-th hit within a window passes (the counter restarts after each). */
export function thresholdAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  if (fresh) {
    // created with one hit
  } else if (tsUs <= t.startUs[i]! + seconds * US) t.count[i]!++;
  else {
    t.startUs[i] = tsUs;
    t.count[i] = 1;
  }
  if (t.count[i]! >= count) {
    t.count[i] = 0;
    return true;
  }
  return false;
}

/** `type both`: the `count`-th hit of a window passes, once; everything else in the window is dropped. */
export function bothAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  if (fresh) return count === 1;
  if (tsUs <= t.startUs[i]! + seconds * US) return ++t.count[i]! === count;
  t.startUs[i] = tsUs;
  t.count[i] = 1;
  return count === 1;
}

/**
 * rate_filter: true while the new action is in force. It switches on at the hit that takes the
 * window past `count` hits, and stays on for `timeout` seconds from then (0: for good, as in
 * Snort); the hit after that opens a fresh window.
 */
export function rateAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, timeout: number, tsUs: number): boolean {
  if (fresh) return false;
  if (t.markUs[i]! >= 0) {
    if (timeout === 0 || tsUs - t.markUs[i]! <= timeout * US) return true;
    t.markUs[i] = -1;
    t.startUs[i] = tsUs;
    t.count[i] = 1;
    return false;
  }
  if (tsUs <= t.startUs[i]! + seconds * US) {
    if (++t.count[i]! > count) {
      t.markUs[i] = tsUs;
      return true;
    }
    return false;
  }
  t.startUs[i] = tsUs;
  t.count[i] = 1;
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
  if (fresh) {
    // created with one hit
  } else if (tsUs <= t.startUs[i]! + seconds * US) {
    t.count[i]!++;
    if (t.markUs[i]! >= 0) return ESCALATE_MERGED;
  } else {
    t.startUs[i] = tsUs;
    t.count[i] = 1;
    t.markUs[i] = -1;
  }
  if (t.count[i]! >= count) {
    t.markUs[i] = tsUs;
    return ESCALATE_TRIGGER;
  }
  return ESCALATE_BELOW;
}

/** limitAt for a text key. */
export function limitPasses(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): boolean {
  const i = t.acquire(space, key, tsUs);
  return limitAt(t, i, t.fresh, count, seconds, tsUs);
}

/** thresholdAt for a text key. */
export function thresholdPasses(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): boolean {
  const i = t.acquire(space, key, tsUs);
  return thresholdAt(t, i, t.fresh, count, seconds, tsUs);
}

/** bothAt for a text key. */
export function bothPasses(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): boolean {
  const i = t.acquire(space, key, tsUs);
  return bothAt(t, i, t.fresh, count, seconds, tsUs);
}

/** rateAt for a text key. */
export function rateExceeded(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, timeout: number, tsUs: number): boolean {
  const i = t.acquire(space, key, tsUs);
  return rateAt(t, i, t.fresh, count, seconds, timeout, tsUs);
}

/** escalateAt for a text key. */
export function escalateHit(t: WindowTable, space: KeySpace, key: string, count: number, seconds: number, tsUs: number): EscalateOutcome {
  const i = t.acquire(space, key, tsUs);
  return escalateAt(t, i, t.fresh, count, seconds, tsUs);
}
