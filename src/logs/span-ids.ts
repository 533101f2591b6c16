import type { BufferKeyIds } from './record.js';

/** Lookups per hit-rate window. */
const WINDOW = 4096;
/** Windows a table that rarely hits stays silent before it tries again. */
const REST_WINDOWS = 16;
/** Slots tried per lookup: bounds the work a flood of look-alike keys can cause. */
const MAX_PROBES = 8;

/**
 * Buffer-key ids (see BufferKeyIds) of byte spans, looked up straight from the line: no string
 * is cut or hashed per record. The hash reads the length and at most 40 sampled bytes; a copy of
 * every kept span confirms a match byte for byte, so equal ids always mean equal bytes (spans
 * that share a hash only cost a compare, and probing is bounded).
 *
 * Bounded: emptied when the table or its byte store is full (ids are never reused, so a
 * forgotten span just gets a new one). Adaptive: a field whose values rarely repeat (unique
 * URIs) makes the memos keyed by its ids useless, so when under a quarter of a window's
 * lookups hit, the table answers -1 ("no key: build the buffer") for a while, then tries again.
 */
export class SpanKeyIds {
  private readonly hashes: Int32Array;
  private readonly ids: Float64Array;
  private readonly offsets: Int32Array;
  private readonly lengths: Int32Array;
  private readonly store: Uint8Array;
  private readonly storeView: DataView;
  private viewBuffer: ArrayBufferLike | null = null;
  private view: DataView | null = null;
  private stored = 0;
  private entries = 0;
  private lookups = 0;
  private hits = 0;
  private resting = 0;

  constructor(
    private readonly counter: BufferKeyIds,
    /** A power of two. */
    private readonly slots = 4096,
    storeBytes = 256 * 1024,
    /** Longer spans get no id: comparing them would cost more than building and scanning the buffer. */
    private readonly maxKeyLength = 512,
  ) {
    this.hashes = new Int32Array(slots);
    this.ids = new Float64Array(slots);
    this.offsets = new Int32Array(slots);
    this.lengths = new Int32Array(slots);
    this.store = new Uint8Array(Math.max(storeBytes, maxKeyLength));
    this.storeView = new DataView(this.store.buffer);
  }

  /** Spans currently remembered. */
  get size(): number {
    return this.entries;
  }

  /** The id (>= 1) of the bytes b[start, end), or -1 (too long, or the table is resting). */
  id(b: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (n > this.maxKeyLength) return -1;
    if (this.resting > 0) {
      this.resting--;
      return -1;
    }
    // Lines of one read chunk share their ArrayBuffer: one view serves them all.
    if (b.buffer !== this.viewBuffer) {
      this.viewBuffer = b.buffer;
      this.view = new DataView(b.buffer);
    }
    const view = this.view!;
    const at = b.byteOffset + start;
    const h = spanHash(view, at, n);
    const mask = this.slots - 1;
    const hashes = this.hashes;
    let slot = h & mask;
    let free = -1;
    for (let p = 0; p < MAX_PROBES; p++, slot = (slot + 1) & mask) {
      const sh = hashes[slot]!;
      if (sh === 0) {
        free = slot;
        break;
      }
      if (sh === h && this.lengths[slot] === n && sameBytes(view, at, this.storeView, this.offsets[slot]!, n)) {
        this.count(true);
        return this.ids[slot]!;
      }
    }
    this.count(false);
    if (this.resting > 0) return -1;
    const store = this.store;
    if (this.stored + n > store.length || this.entries * 4 >= this.slots * 3) {
      this.clear();
      free = h & mask;
    }
    if (free < 0) free = h & mask; // every probed slot is taken: the first one is replaced
    else this.entries++;
    store.set(b.subarray(start, end), this.stored);
    hashes[free] = h;
    this.lengths[free] = n;
    this.offsets[free] = this.stored;
    this.stored += n;
    const id = this.counter.fresh();
    this.ids[free] = id;
    return id;
  }

  private count(hit: boolean): void {
    this.lookups++;
    if (hit) this.hits++;
    if (this.lookups === WINDOW) {
      if (this.hits * 4 < this.lookups) {
        this.resting = WINDOW * REST_WINDOWS;
        this.clear();
      }
      this.lookups = 0;
      this.hits = 0;
    }
  }

  private clear(): void {
    this.hashes.fill(0);
    this.entries = 0;
    this.stored = 0;
  }
}

/** Whether n bytes at a in va equal n bytes at b in vb, compared four at a time. */
function sameBytes(va: DataView, a: number, vb: DataView, b: number, n: number): boolean {
  let k = 0;
  for (; k + 4 <= n; k += 4) if (va.getInt32(a + k) !== vb.getInt32(b + k)) return false;
  for (; k < n; k++) if (va.getUint8(a + k) !== vb.getUint8(b + k)) return false;
  return true;
}

/** Length and up to 40 sampled bytes (16 at each end, 8 spread between); never 0. */
function spanHash(v: DataView, at: number, n: number): number {
  let h = Math.imul(n ^ 0x2545f491, 0x9e3779b1);
  if (n < 40) {
    let k = 0;
    for (; k + 4 <= n; k += 4) h = Math.imul(h ^ v.getInt32(at + k), 0x01000193);
    for (; k < n; k++) h = Math.imul(h ^ v.getUint8(at + k), 0x01000193);
  } else {
    for (let k = 0; k < 16; k += 4) h = Math.imul(h ^ v.getInt32(at + k), 0x01000193);
    const step = (n - 32) >> 3;
    for (let k = 1, i = at + 16; k <= 8; k++, i += step) h = Math.imul(h ^ v.getUint8(i), 0x01000193);
    for (let k = n - 16; k < n; k += 4) h = Math.imul(h ^ v.getInt32(at + k), 0x01000193);
  }
  h ^= h >>> 15;
  return h === 0 ? 1 : h;
}
