/**
 * Counting windows kept in a capped table: the rules' own threshold and detection_filter
 * (match/threshold.ts), and the correlator's event filters, rate filters and escalations.
 *
 * Each tracked key (a key space, i.e. a statement or a statement and rule, plus an address or
 * pair) lives in one bucket of an open-addressing table (linear probing, deletion by backward
 * shift, so no tombstones). A bucket is 32 bytes, aligned, so it never straddles a cache line:
 * the key as int32 words (its space times 2, plus 1 for a numeric key; the numbers a, b of a
 * numeric key, or the hash of a text key), the key's slot number, then two float64: when the
 * window started, and one field holding either the window's hit count or its mark. A hit on a
 * tracked key therefore costs one memory fetch: probing, the key check and the window update all
 * happen in the same line. (The table is bound by memory latency. Measured before it: lru-cache,
 * one Map per statement, parallel arrays per field, then an index of hashes in front of 40-byte
 * records, two fetches per hit; a denser table, fewer buckets per key, measured slower again.)
 *
 * The mark (rate_filter: when the new action was switched on; escalate: when it escalated) and
 * the count share a field because no window function reads the count of a marked window: the
 * count is kept as -(count + 1) (at most -1) and a mark as the timestamp (at least 0). A mark
 * below 0 (an event time before 1970) is read exactly as no mark, so the count is kept instead.
 *
 * Slots number the keys for eviction: past `max` keys, a key whose window has run out goes first
 * (reclaimed, not counted as a loss: its next hit would open a fresh window anyway, as Suricata
 * times out its threshold entries); else the least recently used one (approximately: the clock
 * algorithm over slots, which gives a slot used since the hand last passed a second chance) is
 * dropped and counted as an eviction; a dropped key simply starts counting afresh if it comes
 * back. "Run out" is judged at the event time of the hit that needs the room (WindowTable.seen):
 * when inputs go back in time (a second capture older than the first), keys of the later times
 * look live and are counted when dropped, never reclaimed unnoticed. The clock's used bits sit
 * in their own small array, so the hand sweeps it without touching buckets. The key is two
 * numbers (an IPv4 address, or an unordered pair of them) when the caller has them, else text
 * (IPv6, flows, rules), so a new key costs no object and a lookup hashes no string. Time is
 * never read from the clock: windows expire by comparing event timestamps.
 *
 * What acquire/find return is the key's bucket: valid until the next call that may add a key
 * (acquire, acquireNumbers, create), which can move buckets.
 */

/** A key space: an integer handed out by WindowTable.space(). */
export type KeySpace = number;

const INITIAL = 1024;
/** Slots past the clock's choice searched for a run-out key before a live one is dropped. */
const LOOK_AHEAD = 8;
const US = 1_000_000;

/** int32 words per bucket, and where the key fields live (int32 word w of bucket i: i * B_WORDS + w). */
const B_WORDS = 8;
const W_TAG = 0;
const W_A = 1;
const W_B = 2;
/** The key's slot + 1; 0 marks an empty bucket. */
const W_SLOT = 3;
/** float64 per bucket, and the window fields (float64 f of bucket i: i * B_F64 + f). */
const B_F64 = 4;
const F_START = 2;
/** -(count + 1) while the window has no mark, else the mark (>= 0). */
const F_COUNT_MARK = 3;
/** F_COUNT_MARK of a window just opened: one hit, no mark. */
const OPENED = -2;

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
  /** Keys dropped while their window could still count (state lost to the cap). */
  evictions = 0;
  /** Keys dropped after their window had run out (nothing lost). */
  reclaimed = 0;
  /** The event time of the hit being decided (microseconds; see seen). */
  private now = -Infinity;
  private allocated = 0;
  private used = 0;
  private hand = 0;
  private spaces = 0;
  /** Buckets as float64 (B_F64 each): the window fields are read and written through here. */
  rec: Float64Array = new Float64Array(0);
  /** The same memory as int32 words: the key fields and the slot. */
  private words: Int32Array = new Int32Array(0);
  private mask = -1;
  /** By slot: the bucket holding the slot's key. */
  private bucketOf: Int32Array = new Int32Array(0);
  /** By slot: set when the key is used; the clock clears it as its hand passes (second chance). */
  private refs: Uint8Array = new Uint8Array(0);
  /**
   * By slot: the event time after which the key's window no longer counts (set as a window opens
   * or a rate_filter action switches on; Infinity until a window rule says).
   */
  private until: Float64Array = new Float64Array(0);
  /** By slot: text keys (undefined for a numeric key; let go when their slot is taken over). */
  private keys: Array<string | undefined> = [];
  /** Set by acquire / acquireNumbers: whether the key was just added. */
  fresh = false;

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

  /** Hits counted in bucket i's window (not kept once the window has a mark: NaN then). */
  countOf(i: number): number {
    const m = this.rec[i * B_F64 + F_COUNT_MARK]!;
    return m < 0 ? -m - 1 : NaN;
  }

  /** When bucket i's window started (event time, microseconds). */
  startOf(i: number): number {
    return this.rec[i * B_F64 + F_START]!;
  }

  /** The bucket of `key` in `space`, or -1; marks the key as used. */
  find(space: KeySpace, key: string): number {
    const i = this.locate(space * 2, hashKey(space, key), key);
    if (i >= 0) this.refs[this.words[i * B_WORDS + W_SLOT]! - 1] = 1;
    return i;
  }

  /** Whether `key` is in the table, without marking it as used (the eviction order stays as it is). */
  has(space: KeySpace, key: string): boolean {
    return this.locate(space * 2, hashKey(space, key), key) >= 0;
  }

  private locate(tag: number, h: number, key: string): number {
    if (this.used === 0) return -1;
    const mask = this.mask;
    const words = this.words;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const w = p * B_WORDS;
      const s = words[w + W_SLOT]!;
      if (s === 0) return -1;
      if (words[w + W_A] === h && words[w + W_TAG] === tag && this.keys[s - 1] === key) return p;
    }
  }

  /** The bucket of the numeric key (a, b) in `space`, or -1; marks the key as used. a and b are int32. */
  findNumbers(space: KeySpace, a: number, b: number): number {
    if (this.used === 0) return -1;
    return this.findHashed(hashNumbers(space, a, b), space * 2 + 1, a, b);
  }

  private findHashed(h: number, tag: number, a: number, b: number): number {
    const mask = this.mask;
    const words = this.words;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const w = p * B_WORDS;
      const s = words[w + W_SLOT]!;
      if (s === 0) return -1;
      if (words[w + W_A] === a && words[w + W_B] === b && words[w + W_TAG] === tag) {
        this.refs[s - 1] = 1;
        return p;
      }
    }
  }

  /**
   * The bucket of `key`, created if missing; `fresh` says which. A fresh bucket's window is not
   * open yet: the window function given the bucket opens it (WindowTable.open).
   */
  acquire(space: KeySpace, key: string): number {
    const h = hashKey(space, key);
    const i = this.locate(space * 2, h, key);
    if (i >= 0) {
      this.refs[this.words[i * B_WORDS + W_SLOT]! - 1] = 1;
      this.fresh = false;
      return i;
    }
    this.fresh = true;
    return this.insert(space * 2, h, 0, h, key);
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
    return this.insert(tag, a, b, h, undefined);
  }

  /** A bucket for `key` (not in the table); its window is not open yet. */
  create(space: KeySpace, key: string): number {
    const h = hashKey(space, key);
    return this.insert(space * 2, h, 0, h, key);
  }

  /** Starts bucket i's window at tsUs with one hit (and no mark). */
  open(i: number, tsUs: number): void {
    const f = i * B_F64;
    this.rec[f + F_START] = tsUs;
    this.rec[f + F_COUNT_MARK] = OPENED;
  }

  /** Bucket i's key stops counting after untilUs (event time). */
  lasts(i: number, untilUs: number): void {
    this.until[this.words[i * B_WORDS + W_SLOT]! - 1] = untilUs;
  }

  /**
   * The event time of the hit about to look its key up: keys whose window ran out before it may
   * give their room to a new key. Without it nothing is reclaimed, only evicted.
   */
  seen(tsUs: number): void {
    this.now = tsUs;
  }

  /** Adds a key known to be missing, in a slot of its own (a text key's `a` is its hash). */
  private insert(tag: number, a: number, b: number, h: number, key: string | undefined): number {
    const s = this.claim();
    if (key !== undefined) this.keys[s] = key;
    const mask = this.mask;
    const words = this.words;
    let p = h & mask;
    while (words[p * B_WORDS + W_SLOT] !== 0) p = (p + 1) & mask;
    const w = p * B_WORDS;
    words[w + W_TAG] = tag;
    words[w + W_A] = a;
    words[w + W_B] = b;
    words[w + W_SLOT] = s + 1;
    this.bucketOf[s] = p;
    this.refs[s] = 0;
    this.until[s] = Infinity;
    return p;
  }

  /** A free slot: the next unused one, or the clock's victim (its key removed) once the table is full. */
  private claim(): number {
    if (this.used < this.max) {
      if (this.used === this.allocated) this.grow();
      return this.used++;
    }
    // Clock: a key whose window has run out goes at once; skip (and clear) slots used since the
    // hand last passed; the first one that was not goes, unless one of the next few has run out.
    const refs = this.refs;
    const until = this.until;
    const now = this.now;
    const max = this.max;
    let hand = this.hand;
    while (refs[hand] === 1 && !(until[hand]! < now)) {
      refs[hand] = 0;
      hand = hand + 1 === max ? 0 : hand + 1;
    }
    let victim = hand;
    if (!(until[hand]! < now)) {
      for (let k = 1, q = hand; k <= LOOK_AHEAD && k < max; k++) {
        q = q + 1 === max ? 0 : q + 1;
        if (until[q]! < now) {
          victim = q;
          break;
        }
      }
    }
    if (until[victim]! < now) this.reclaimed++;
    else this.evictions++;
    this.hand = hand + 1 === max ? 0 : hand + 1;
    const p = this.bucketOf[victim]!;
    // A text key's string is let go now, so a numeric key taking the slot needs no write there.
    if ((this.words[p * B_WORDS + W_TAG]! & 1) === 0) this.keys[victim] = undefined;
    this.unindex(p);
    return victim;
  }

  /** The hash of the key in the bucket at word w. */
  private hashAt(w: number): number {
    const words = this.words;
    const tag = words[w + W_TAG]!;
    return (tag & 1) === 1 ? hashNumbers(tag >>> 1, words[w + W_A]!, words[w + W_B]!) : words[w + W_A]!;
  }

  /** Empties bucket p, shifting later entries of its probe run back (no tombstones). */
  private unindex(p: number): void {
    const mask = this.mask;
    const words = this.words;
    const rec = this.rec;
    let hole = p;
    for (let q = (hole + 1) & mask; ; q = (q + 1) & mask) {
      const w = q * B_WORDS;
      const s = words[w + W_SLOT]!;
      if (s === 0) break;
      const home = this.hashAt(w) & mask;
      // Move the entry into the hole unless its home lies cyclically in (hole, q].
      if (hole <= q ? home <= hole || home > q : home <= hole && home > q) {
        const to = hole * B_WORDS;
        // Word by word: the key words need not be valid float64 bit patterns.
        words[to + W_TAG] = words[w + W_TAG]!;
        words[to + W_A] = words[w + W_A]!;
        words[to + W_B] = words[w + W_B]!;
        words[to + W_SLOT] = s;
        rec[hole * B_F64 + F_START] = rec[q * B_F64 + F_START]!;
        rec[hole * B_F64 + F_COUNT_MARK] = rec[q * B_F64 + F_COUNT_MARK]!;
        this.bucketOf[s - 1] = hole;
        hole = q;
      }
    }
    words[hole * B_WORDS + W_SLOT] = 0;
  }

  private grow(): void {
    const n = Math.min(this.max, Math.max(INITIAL, this.allocated * 2));
    const bucketOf = new Int32Array(n);
    bucketOf.set(this.bucketOf);
    const refs = new Uint8Array(n);
    refs.set(this.refs);
    const until = new Float64Array(n);
    until.set(this.until);
    this.bucketOf = bucketOf;
    this.refs = refs;
    this.until = until;
    this.allocated = n;
    // Buckets: at least twice the slots (a power of two), so probe runs stay short.
    let size = 1;
    while (size < n * 2) size <<= 1;
    if (size - 1 === this.mask) return;
    const oldWords = this.words;
    const oldRec = this.rec;
    const rec = new Float64Array(size * B_F64);
    const words = new Int32Array(rec.buffer);
    const mask = size - 1;
    this.rec = rec;
    this.words = words;
    this.mask = mask;
    for (let q = 0; q * B_WORDS < oldWords.length; q++) {
      const w = q * B_WORDS;
      const s = oldWords[w + W_SLOT]!;
      if (s === 0) continue;
      const tag = oldWords[w + W_TAG]!;
      const a = oldWords[w + W_A]!;
      const b = oldWords[w + W_B]!;
      let p = ((tag & 1) === 1 ? hashNumbers(tag >>> 1, a, b) : a) & mask;
      while (words[p * B_WORDS + W_SLOT] !== 0) p = (p + 1) & mask;
      const to = p * B_WORDS;
      words[to + W_TAG] = tag;
      words[to + W_A] = a;
      words[to + W_B] = b;
      words[to + W_SLOT] = s;
      rec[p * B_F64 + F_START] = oldRec[q * B_F64 + F_START]!;
      rec[p * B_F64 + F_COUNT_MARK] = oldRec[q * B_F64 + F_COUNT_MARK]!;
      bucketOf[s - 1] = p;
    }
  }
}

/**
 * A hit from longer before the key's window than the window lasts (inputs read out of time
 * order: a rotated log after the current one) opens a fresh window, as a hit after the window
 * does: time jumped, in either direction, and hits hours apart must not add up. Earlier hits by
 * less than `seconds` (inputs interleaving a little) count in the window as usual.
 */
function staleHit(t: WindowTable, i: number, fresh: boolean, seconds: number, tsUs: number): boolean {
  return !fresh && tsUs < t.rec[i * B_F64 + F_START]! - seconds * US;
}

/**
 * Snort/Suricata `type limit`: the first `count` hits of each window pass, the rest are dropped.
 * A window runs from its first hit for `seconds` (inclusive, as Suricata compares), then the next hit opens a new one.
 * The `...At` forms take the key's bucket from WindowTable.acquire / acquireNumbers (`fresh`: just
 * created, so its first window opens at this hit).
 */
export function limitAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  const hits = countHit(t, i, fresh, seconds, tsUs);
  return hits === 1 || hits <= count;
}

/**
 * Counts a hit in bucket i's window (one without a mark), opening a fresh window at this hit
 * when the key is new or its window has run out; returns the window's hits, this one included.
 */
function countHit(t: WindowTable, i: number, fresh: boolean, seconds: number, tsUs: number): number {
  if (staleHit(t, i, fresh, seconds, tsUs)) fresh = true;
  const r = t.rec;
  const f = i * B_F64;
  if (!fresh && tsUs <= r[f + F_START]! + seconds * US) {
    // The stored field is -(hits + 1): one less is one more hit.
    const m = r[f + F_COUNT_MARK]! - 1;
    r[f + F_COUNT_MARK] = m;
    return -m - 1;
  }
  r[f + F_START] = tsUs;
  r[f + F_COUNT_MARK] = OPENED;
  t.lasts(i, tsUs + seconds * US);
  return 1;
}

/** `type threshold`: every `count`-th hit within a window passes (the counter restarts after each). */
export function thresholdAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  if (staleHit(t, i, fresh, seconds, tsUs)) fresh = true;
  const r = t.rec;
  const f = i * B_F64;
  let hits = 1;
  if (!fresh && tsUs <= r[f + F_START]! + seconds * US) hits = -r[f + F_COUNT_MARK]!;
  else {
    r[f + F_START] = tsUs;
    t.lasts(i, tsUs + seconds * US);
  }
  if (hits >= count) {
    r[f + F_COUNT_MARK] = -1;
    return true;
  }
  r[f + F_COUNT_MARK] = -hits - 1;
  return false;
}

/** `type both`: the `count`-th hit of a window passes, once; everything else in the window is dropped. */
export function bothAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  return countHit(t, i, fresh, seconds, tsUs) === count;
}

/** `detection_filter`: every hit after the first `count` of a window passes. */
export function detectionAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, tsUs: number): boolean {
  return countHit(t, i, fresh, seconds, tsUs) > count;
}

/**
 * rate_filter: true while the new action is in force. It switches on at the hit that takes the
 * window past `count` hits, and stays on for `timeout` seconds from then (0: for good, as in
 * Snort). The first hit after the timeout gets the old action back, and the window keeps its
 * start and its count (as Suricata's and Snort's rate filters do, "to reblock offending traffic
 * quickly"): a source still flooding within that window is switched over again at its next hit,
 * not given another `count` hits.
 */
export function rateAt(t: WindowTable, i: number, fresh: boolean, count: number, seconds: number, timeout: number, tsUs: number): boolean {
  if (staleHit(t, i, fresh, seconds, tsUs)) fresh = true;
  const r = t.rec;
  const f = i * B_F64;
  if (!fresh) {
    const m = r[f + F_COUNT_MARK]!;
    if (m >= 0) {
      if (timeout === 0 || tsUs - m <= timeout * US) return true;
      // Over: back to counting, with the hits that switched it on.
      r[f + F_COUNT_MARK] = -(count + 1) - 1;
      t.lasts(i, Math.max(r[f + F_START]! + seconds * US, tsUs));
      return false;
    }
    if (tsUs <= r[f + F_START]! + seconds * US) {
      const hits = -m;
      if (hits > count) {
        r[f + F_COUNT_MARK] = tsUs >= 0 ? tsUs : -hits - 1;
        // Once on, the action lasts its timeout (0: for good); the window no longer matters.
        if (tsUs >= 0) t.lasts(i, timeout === 0 ? Infinity : tsUs + timeout * US);
        return true;
      }
      r[f + F_COUNT_MARK] = -hits - 1;
      return false;
    }
  }
  r[f + F_START] = tsUs;
  r[f + F_COUNT_MARK] = OPENED;
  t.lasts(i, tsUs + seconds * US);
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
  if (staleHit(t, i, fresh, seconds, tsUs)) fresh = true;
  const r = t.rec;
  const f = i * B_F64;
  let hits = 1;
  if (!fresh && tsUs <= r[f + F_START]! + seconds * US) {
    const m = r[f + F_COUNT_MARK]!;
    if (m >= 0) return ESCALATE_MERGED;
    hits = -m;
  } else {
    r[f + F_START] = tsUs;
    t.lasts(i, tsUs + seconds * US);
  }
  if (hits >= count) {
    r[f + F_COUNT_MARK] = tsUs >= 0 ? tsUs : -hits - 1;
    return ESCALATE_TRIGGER;
  }
  r[f + F_COUNT_MARK] = -hits - 1;
  return ESCALATE_BELOW;
}
