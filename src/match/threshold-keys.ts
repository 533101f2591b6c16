/**
 * The capped key table behind ThresholdTable: keys map to slots, and each slot holds one window
 * (startUs, hits) in typed arrays, so a hit on a numeric key allocates nothing.
 *
 * A key is three int32 (a tag and two numbers) or, for the rare keys without a numeric form, a
 * text (tag 0, its hash standing in for the numbers). Buckets live in an open-addressing table
 * (linear probing, deletion by backward shift, so no tombstones), four int32 each: tag, a, b,
 * slot + 1 (0: empty). Windows are indexed by slot, so moving a bucket never moves a window.
 *
 * Past `max` keys a slot is taken back with the clock algorithm (a slot used since the hand last
 * passed gets a second chance): an approximation of least recently used that needs one byte per
 * key and no list to maintain. Every key dropped that way is counted in `evictions`.
 */

const INITIAL = 1024;
const B_WORDS = 4;
const W_TAG = 0;
const W_A = 1;
const W_B = 2;
const W_SLOT = 3;
/** The tag of text keys (numeric tags are never 0). */
const TEXT_TAG = 0;

/** A numeric key mixed with murmur3's finalizer, so addresses that differ in few bits spread out. */
function hashNumbers(tag: number, a: number, b: number): number {
  let h = Math.imul(tag, 0x9e3779b1) ^ a ^ Math.imul(b, 0x85ebca6b);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a over the UTF-16 code units. */
function hashText(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class ThresholdKeys {
  evictions = 0;
  /** Set by acquire / acquireText: the key was just added (its window is not open yet). */
  fresh = false;
  /** By slot: when the window started (event time, microseconds). */
  startUs: Float64Array = new Float64Array(0);
  /** By slot: hits counted in the window (as the window type keeps them). */
  hits: Float64Array = new Float64Array(0);
  private used = 0;
  private allocated = 0;
  private hand = 0;
  private mask = -1;
  private words: Int32Array = new Int32Array(0);
  /** By slot: the bucket holding the slot's key. */
  private bucketOf: Int32Array = new Int32Array(0);
  /** By slot: set when the key is used; the clock clears it as its hand passes. */
  private refs: Uint8Array = new Uint8Array(0);
  /** By slot: text keys (undefined for numeric ones). */
  private texts: Array<string | undefined> = [];

  constructor(readonly max: number) {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`threshold key cap must be a positive integer, not ${max}`);
  }

  get size(): number {
    return this.used;
  }

  /** The slot of the numeric key (tag >= 1, a, b int32), added if missing (see `fresh`). */
  acquire(tag: number, a: number, b: number): number {
    const h = hashNumbers(tag, a, b);
    if (this.used !== 0) {
      const mask = this.mask;
      const words = this.words;
      for (let p = h & mask; ; p = (p + 1) & mask) {
        const w = p * B_WORDS;
        const s = words[w + W_SLOT]!;
        if (s === 0) break;
        if (words[w + W_A] === a && words[w + W_B] === b && words[w + W_TAG] === tag) {
          this.refs[s - 1] = 1;
          this.fresh = false;
          return s - 1;
        }
      }
    }
    this.fresh = true;
    return this.insert(tag, a, b, h, undefined);
  }

  /** The slot of a text key, added if missing (see `fresh`). */
  acquireText(key: string): number {
    const h = hashText(key);
    if (this.used !== 0) {
      const mask = this.mask;
      const words = this.words;
      for (let p = h & mask; ; p = (p + 1) & mask) {
        const w = p * B_WORDS;
        const s = words[w + W_SLOT]!;
        if (s === 0) break;
        if (words[w + W_A] === h && words[w + W_TAG] === TEXT_TAG && this.texts[s - 1] === key) {
          this.refs[s - 1] = 1;
          this.fresh = false;
          return s - 1;
        }
      }
    }
    this.fresh = true;
    return this.insert(TEXT_TAG, h, 0, h, key);
  }

  private insert(tag: number, a: number, b: number, h: number, text: string | undefined): number {
    const s = this.claim();
    if (text !== undefined || this.texts[s] !== undefined) this.texts[s] = text;
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
    return s;
  }

  /** A free slot: the next unused one, or the clock's victim (its key removed) once full. */
  private claim(): number {
    if (this.used < this.max) {
      if (this.used === this.allocated) this.grow();
      return this.used++;
    }
    const refs = this.refs;
    const max = this.max;
    let hand = this.hand;
    while (refs[hand] === 1) {
      refs[hand] = 0;
      hand = hand + 1 === max ? 0 : hand + 1;
    }
    this.hand = hand + 1 === max ? 0 : hand + 1;
    this.unindex(this.bucketOf[hand]!);
    this.evictions++;
    return hand;
  }

  private hashAt(w: number): number {
    const words = this.words;
    const tag = words[w + W_TAG]!;
    return tag === TEXT_TAG ? words[w + W_A]! : hashNumbers(tag, words[w + W_A]!, words[w + W_B]!);
  }

  /** Empties bucket p, shifting later entries of its probe run back (no tombstones). */
  private unindex(p: number): void {
    const mask = this.mask;
    const words = this.words;
    let hole = p;
    for (let q = (hole + 1) & mask; ; q = (q + 1) & mask) {
      const w = q * B_WORDS;
      const s = words[w + W_SLOT]!;
      if (s === 0) break;
      const home = this.hashAt(w) & mask;
      // Move the entry into the hole unless its home lies cyclically in (hole, q].
      if (hole <= q ? home <= hole || home > q : home <= hole && home > q) {
        const to = hole * B_WORDS;
        words[to + W_TAG] = words[w + W_TAG]!;
        words[to + W_A] = words[w + W_A]!;
        words[to + W_B] = words[w + W_B]!;
        words[to + W_SLOT] = s;
        this.bucketOf[s - 1] = hole;
        hole = q;
      }
    }
    words[hole * B_WORDS + W_SLOT] = 0;
  }

  private grow(): void {
    const n = Math.min(this.max, Math.max(INITIAL, this.allocated * 2));
    this.bucketOf = copied(new Int32Array(n), this.bucketOf);
    this.refs = copied(new Uint8Array(n), this.refs);
    this.startUs = copied(new Float64Array(n), this.startUs);
    this.hits = copied(new Float64Array(n), this.hits);
    this.allocated = n;
    // At least twice as many buckets as slots (a power of two), so probe runs stay short.
    let size = 1;
    while (size < n * 2) size <<= 1;
    if (size - 1 === this.mask) return;
    const old = this.words;
    const words = new Int32Array(size * B_WORDS);
    const mask = size - 1;
    this.words = words;
    this.mask = mask;
    for (let w = 0; w < old.length; w += B_WORDS) {
      const s = old[w + W_SLOT]!;
      if (s === 0) continue;
      const tag = old[w + W_TAG]!;
      const a = old[w + W_A]!;
      const b = old[w + W_B]!;
      let p = (tag === TEXT_TAG ? a : hashNumbers(tag, a, b)) & mask;
      while (words[p * B_WORDS + W_SLOT] !== 0) p = (p + 1) & mask;
      const to = p * B_WORDS;
      words[to + W_TAG] = tag;
      words[to + W_A] = a;
      words[to + W_B] = b;
      words[to + W_SLOT] = s;
      this.bucketOf[s - 1] = p;
    }
  }
}

function copied<T extends Int32Array | Uint8Array | Float64Array>(into: T, from: T): T {
  into.set(from);
  return into;
}
