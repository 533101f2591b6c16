import { latin1 } from './bytes.js';
import { RepeatGate } from '../types/repeat-gate.js';
import type { BufferKeyIds } from './record.js';

/** Lookups per hit-rate window. */
const WINDOW = 4096;
/** Windows a table that rarely hits stays silent before it tries again. */
const REST_WINDOWS = 16;
/** Slots tried per lookup: bounds the work a flood of look-alike keys can cause. */
const MAX_PROBES = 8;
/** Numbers per slot of the table. */
const SLOT_WORDS = 4;
/** Texts kept per table (a power of two). */
const TEXT_SLOTS = 1024;

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
  /**
   * Per slot, side by side (one cache line serves a probe): hash (0: empty), length, offset in
   * the store, id.
   */
  private readonly table: Float64Array;
  private readonly store: Uint8Array;
  private readonly storeView: DataView;
  /** The store as words: spans are kept at word-aligned offsets (see sameStored). */
  private readonly storeWords: Int32Array;
  /** Texts by id (direct-mapped): see text(). */
  private readonly textIds = new Float64Array(TEXT_SLOTS);
  private readonly texts: string[] = new Array<string>(TEXT_SLOTS).fill('');
  private stored = 0;
  private entries = 0;
  private readonly gate = new RepeatGate(WINDOW, WINDOW * REST_WINDOWS);

  constructor(
    private readonly counter: BufferKeyIds,
    /** A power of two. */
    private readonly slots = 4096,
    storeBytes = 256 * 1024,
    /** Longer spans get no id: comparing them would cost more than building and scanning the buffer. */
    private readonly maxKeyLength = 512,
  ) {
    this.table = new Float64Array(slots * SLOT_WORDS);
    this.store = new Uint8Array(Math.max(storeBytes, maxKeyLength));
    this.storeView = new DataView(this.store.buffer);
    this.storeWords = new Int32Array(this.store.buffer, 0, this.store.length >>> 2);
  }

  /**
   * The latin1 text of the span b[start, end) whose id() is `id` (<= 0: none), kept by id, as
   * equal ids mean equal bytes: alerts of records that repeat a value share its string.
   */
  text(id: number, b: Uint8Array, start: number, end: number): string {
    if (id <= 0) return latin1(b, start, end);
    const slot = id & (TEXT_SLOTS - 1);
    if (this.textIds[slot] === id) return this.texts[slot]!;
    const t = latin1(b, start, end);
    this.textIds[slot] = id;
    this.texts[slot] = t;
    return t;
  }

  /** Spans currently remembered. */
  get size(): number {
    return this.entries;
  }

  /** The id (>= 1) of the bytes b[start, end), or -1 (too long, or the table is resting). */
  id(b: Uint8Array, start: number, end: number): number {
    const n = end - start;
    if (n > this.maxKeyLength) return -1;
    if (!this.gate.active()) return -1;
    if (b !== viewLine) lineView(b);
    const view = viewOfLine!;
    const at = lineOffset + start;
    const h = spanHash(view, at, n);
    const mask = this.slots - 1;
    const table = this.table;
    let slot = h & mask;
    let free = -1;
    for (let p = 0; p < MAX_PROBES; p++, slot = (slot + 1) & mask) {
      const w = slot * SLOT_WORDS;
      const sh = table[w]!;
      if (sh === 0) {
        free = slot;
        break;
      }
      if (sh === h && table[w + 1] === n && this.sameStored(view, at, table[w + 2]!, n)) {
        if (this.gate.count(true)) this.clear();
        // A small integer (ids stay below 2^31): kept unboxed by the records that cache it.
        return table[w + 3]! | 0;
      }
    }
    if (this.gate.count(false)) {
      this.clear();
      return -1;
    }
    const id = this.counter.fresh();
    if (id < 0) return -1;
    const store = this.store;
    if (this.stored + n + 3 > store.length || this.entries * 4 >= this.slots * 3) {
      this.clear();
      free = h & mask;
    }
    if (free < 0) free = h & mask; // every probed slot is taken: the first one is replaced
    else this.entries++;
    store.set(b.subarray(start, end), this.stored);
    const w = free * SLOT_WORDS;
    table[w] = h;
    table[w + 1] = n;
    table[w + 2] = this.stored;
    table[w + 3] = id;
    // The next span starts on a word boundary.
    this.stored = (this.stored + n + 3) & ~3;
    return id;
  }

  /**
   * Whether the n bytes at `at` in the line's memory equal the span kept at word-aligned `off`.
   * The line's bytes are read as aligned words, two shifted into one where the span does not start
   * on a word: DataView reads of unaligned words cost about twice as much per step.
   */
  private sameStored(view: DataView, at: number, off: number, n: number): boolean {
    const r = at & 3;
    const nw = n >>> 2;
    const words = viewWords!;
    const first = at >>> 2;
    if (!LITTLE_ENDIAN) return sameBytes(view, at, this.storeView, off, n);
    if (r === 0 || first + nw >= words.length) {
      if (r !== 0) return sameBytes(view, at, this.storeView, off, n);
      const kept = this.storeWords;
      const o = off >>> 2;
      for (let k = 0; k < nw; k++) if (words[first + k] !== kept[o + k]) return false;
    } else {
      const kept = this.storeWords;
      const o = off >>> 2;
      const lo = r * 8;
      const hi = 32 - lo;
      let prev = words[first]!;
      for (let k = 0; k < nw; k++) {
        const next = words[first + k + 1]!;
        if (((prev >>> lo) | (next << hi)) !== kept[o + k]) return false;
        prev = next;
      }
    }
    const store = this.store;
    for (let k = nw * 4; k < n; k++) if (view.getUint8(at + k) !== store[off + k]) return false;
    return true;
  }

  private clear(): void {
    this.table.fill(0);
    this.entries = 0;
    this.stored = 0;
  }
}

/**
 * The view of the line the tables last read, shared by every table: a record asks for the ids of
 * several fields of one line, and a typed array's buffer and offset are dear to read each time.
 * Lines of one read chunk share their ArrayBuffer, so one DataView serves them all.
 */
let viewLine: Uint8Array | null = null;
let viewBuffer: ArrayBufferLike | null = null;
let viewOfLine: DataView | null = null;
/** The same memory as aligned words (its last 1-3 bytes are read through the DataView). */
let viewWords: Int32Array | null = null;
let lineOffset = 0;

function lineView(b: Uint8Array): void {
  viewLine = b;
  const buffer = b.buffer;
  if (buffer !== viewBuffer) {
    viewBuffer = buffer;
    viewOfLine = new DataView(buffer);
    viewWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
  }
  lineOffset = b.byteOffset;
}

/**
 * Whether n bytes at a in va equal n bytes at b in vb, compared four at a time. Words are read
 * little-endian here and in spanHash: the host's order, so no byte swap per read (big-endian
 * reads made the two span lookups of an access line about twice as dear).
 */
function sameBytes(va: DataView, a: number, vb: DataView, b: number, n: number): boolean {
  let k = 0;
  for (; k + 4 <= n; k += 4) if (va.getInt32(a + k, true) !== vb.getInt32(b + k, true)) return false;
  for (; k < n; k++) if (va.getUint8(a + k) !== vb.getUint8(b + k)) return false;
  return true;
}

/** Length and up to 40 sampled bytes (16 at each end, 8 spread between); never 0. */
function spanHash(v: DataView, at: number, n: number): number {
  let h = Math.imul(n ^ 0x2545f491, 0x9e3779b1);
  if (n < 40) {
    let k = 0;
    for (; k + 4 <= n; k += 4) h = Math.imul(h ^ v.getInt32(at + k, true), 0x01000193);
    for (; k < n; k++) h = Math.imul(h ^ v.getUint8(at + k), 0x01000193);
  } else {
    for (let k = 0; k < 16; k += 4) h = Math.imul(h ^ v.getInt32(at + k, true), 0x01000193);
    const step = (n - 32) >> 3;
    for (let k = 1, i = at + 16; k <= 8; k++, i += step) h = Math.imul(h ^ v.getUint8(i), 0x01000193);
    for (let k = n - 16; k < n; k += 4) h = Math.imul(h ^ v.getInt32(at + k, true), 0x01000193);
  }
  h ^= h >>> 15;
  return h === 0 ? 1 : h;
}

/** The shifted word reads of sameStored put bytes together in little-endian order. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Part ids kept per entry of a SpanParts table. */
const PARTS = 3;

/**
 * The ids of a span's parts, by the span's id: a record that repeats a span (a request line, a
 * `referer" "agent` pair) gets the ids of its parts (method, URI, protocol; referer, agent)
 * without hashing and comparing each part again. Exact because the record splits a span by its
 * bytes alone, and ids are never reused: a part id remembered here names the same bytes for
 * good, even once the part's own table has forgotten them (it then names them by another id
 * too, which costs a memo miss, never a wrong answer).
 *
 * Direct-mapped and fixed in size: a span whose slot is taken replaces the entry.
 */
export class SpanParts {
  /** Per slot: the span id (0: empty), then its PARTS part ids. */
  private readonly slots: Float64Array;
  private readonly mask: number;

  /** `slots`: a power of two. */
  constructor(slots = 4096) {
    this.slots = new Float64Array(slots * (PARTS + 1));
    this.mask = slots - 1;
  }

  /** The offset of the entry of span id `id` (> 0) for part(), or -1 when none is kept. */
  find(id: number): number {
    const w = this.slotOf(id);
    return this.slots[w] === id ? w : -1;
  }

  /** Part k (0-based) of the entry at `w` (from find). */
  part(w: number, k: number): number {
    // Ids stay below 2^31: a small integer, kept unboxed by the records that cache it.
    return this.slots[w + 1 + k]! | 0;
  }

  /** Keeps the part ids (0: absent, -1: no id) of span id `id` (> 0). */
  remember(id: number, a: number, b: number, c: number): void {
    const w = this.slotOf(id);
    const s = this.slots;
    s[w] = id;
    s[w + 1] = a;
    s[w + 2] = b;
    s[w + 3] = c;
  }

  private slotOf(id: number): number {
    let h = Math.imul(id | 0, 0x9e3779b1);
    h ^= h >>> 15;
    return (h & this.mask) * (PARTS + 1);
  }
}
