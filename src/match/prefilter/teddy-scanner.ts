import { FOLD } from './ascii.js';
import { BYTE_COST } from './key-selection.js';
import type { CandidateSet } from './candidate-set.js';
import { FoundBits } from './found-bits.js';
import type { PatternSlots } from './patterns.js';
import { poolBytesAt, spellings } from './table-bits.js';
import { BUCKETS_PER_SET, initialMaskOffset, TABLE_AREA, tableBytes, tableOffset, teddyRuntime, type TeddyRuntime } from './teddy-wasm.js';

/** Sets with more distinct patterns than this are left to the other engines. */
export const MAX_TEDDY_PATTERNS = 512;
/**
 * The Teddy engine is built only when its modelled cost (see layout) stays under this many
 * nanoseconds per byte: the step engine costs 1.6-2.9 ns per byte on the same sets and traffic
 * (README.md).
 */
const MAX_TEDDY_COST = 2.0;
/** Modelled cost of a bucket hit, in ns: reading it back, plus each of the bucket's patterns compared. */
const HIT_COST_NS = 30;
const COMPARE_COST_NS = 20;
/**
 * Shapes tried, cheapest loops first: table sets (8 buckets each), key bytes, and the loop's
 * cost in ns per byte, measured without hits (1 MB of HTTP responses, Node 20, best of 8).
 */
const SHAPES: ReadonlyArray<readonly [number, number, number]> = [[1, 3, 0.34], [1, 4, 0.42], [2, 3, 0.61], [2, 4, 0.79], [4, 3, 1.11], [4, 4, 1.78]];
/**
 * Ranges up to this many bytes are scanned by the step (or byte) engine, built on first need:
 * copying a few bytes into the SIMD loop's memory and calling it costs more than the step loop
 * over them (measured per call: 16 bytes 180 ns against 150 ns, 64 bytes 350 ns against 360 ns,
 * 256 bytes 440 ns against 640 ns).
 */
const DEFAULT_SHORT_RANGE = 48;
/** Bytes per run of the SIMD loop: bounds the shared memory (data plus hit area, about 5.5 times this). */
const MAX_SLICE = 65536;
/** Slices shorter than this are verified however densely they hit (a few steps cost little either way). */
const DENSE_MIN = 256;
/** Up to this many bytes are copied into the loop's memory one by one (cheaper than a view and a native copy). */
const COPY_BY_LOOP = 64;

/** The step or byte engine, as far as Teddy uses it. */
export interface ScalarScanner {
  readonly memoryBytes: number;
  scanWithContext(buf: Uint8Array, contextStart: number, start: number, end: number, out: CandidateSet): void;
}

/** A pattern's key: the K bytes (fewer for a shorter pattern) the SIMD loop looks for. */
interface Keyed {
  slot: number;
  /** Offset in the pattern just past the key's last byte. */
  keyEnd: number;
  /** Per key position 0..K-1, the raw bytes allowed there; null for a position before a short key (anything). */
  bytes: (number[] | null)[];
  rarity: number;
}

/**
 * Byte frequencies of the key-selection model (the same traffic model as the step engine's
 * keys), summed for the layout's inner loop: HALF_ROW[(h * 2 + half) * 256 + bits] is the
 * probability of the bytes with high nibble h and a low nibble among `bits` (the low or the high
 * 8 of the 16 low nibbles), so a bucket position's probability costs 32 lookups, not 256.
 */
const HALF_ROW: Float64Array = (() => {
  const t = new Float64Array(16 * 2 * 256);
  for (let row = 0; row < 32; row++) {
    // Each subset's sum is a smaller subset's plus one byte's probability.
    for (let bits = 1; bits < 256; bits++) {
      const x = 31 - Math.clz32(bits & -bits);
      t[row * 256 + bits] = t[row * 256 + (bits & (bits - 1))]! + 2 ** -BYTE_COST[row * 8 + x]!;
    }
  }
  return t;
})();

/** Probability that a byte passes a bucket position allowing low nibbles `lo` and high nibbles `hi` (bit sets). */
function passProbability(lo: number, hi: number): number {
  let p = 0;
  const low = lo & 0xff;
  const high = lo >>> 8;
  for (let rest = hi; rest !== 0; rest &= rest - 1) {
    const h = 31 - Math.clz32(rest & -rest);
    p += HALF_ROW[h * 512 + low]! + HALF_ROW[h * 512 + 256 + high]!;
  }
  return p;
}

/** A layout of the patterns into buckets for one shape, and its modelled cost in ns per byte. */
interface Layout {
  sets: number;
  keyBytes: number;
  keys: Keyed[];
  bucketOf: Int32Array;
  /** Per bucket and key position: allowed low nibbles, high nibbles, and whether anything passes (1). */
  lo: Int32Array;
  hi: Int32Array;
  any: Uint8Array;
  cost: number;
}

function chooseKey(slots: PatternSlots, s: number, K: number, maxLookahead: number): Keyed {
  const from = slots.start[s]!;
  const n = slots.length[s]!;
  const nocase = slots.nocase[s] !== 0;
  const k = Math.min(K, n);
  let best = k;
  let bestRarity = -1;
  for (let e = n; e >= k && n - e <= maxLookahead; e--) {
    let r = 0;
    for (let j = e - k; j < e; j++) r += BYTE_COST[slots.pool[from + j]!]!;
    if (r > bestRarity) {
      bestRarity = r;
      best = e;
    }
  }
  const bytes: (number[] | null)[] = [];
  for (let q = 0; q < K; q++) {
    const j = best - K + q;
    bytes.push(j < best - k ? null : spellings(slots.pool[from + j]!, nocase));
  }
  return { slot: s, keyEnd: best, bytes, rarity: bestRarity };
}

/**
 * Greedy bucketing: the commonest keys first, each into the bucket whose hit rate it raises least.
 * Null as soon as the cost so far (which only grows) passes `budget`: a shape already beaten.
 */
function layout(slots: PatternSlots, keys: Keyed[], sets: number, K: number, loopCost: number, budget: number): Layout | null {
  const buckets = sets * BUCKETS_PER_SET;
  const lo = new Int32Array(buckets * K);
  const hi = new Int32Array(buckets * K);
  const any = new Uint8Array(buckets * K);
  /** Per bucket: its modelled hit rate, 0 while it is empty. */
  const rates = new Float64Array(buckets);
  const bucketOf = new Int32Array(slots.count);
  const members = new Int32Array(buckets);
  let cost = loopCost;
  const keyLo = new Int32Array(K);
  const keyHi = new Int32Array(K);
  const keyAny = new Uint8Array(K);
  const order = keys.map((_, i) => i).sort((a, b) => keys[a]!.rarity - keys[b]!.rarity);
  for (const i of order) {
    const k = keys[i]!;
    for (let q = 0; q < K; q++) {
      const allowed = k.bytes[q]!;
      keyLo[q] = 0;
      keyHi[q] = 0;
      keyAny[q] = allowed === null ? 1 : 0;
      if (allowed !== null) {
        for (const b of allowed) {
          keyLo[q]! |= 1 << (b & 15);
          keyHi[q]! |= 1 << (b >>> 4);
        }
      }
    }
    let choice = 0;
    let increase = Infinity;
    let choiceRate = 0;
    let triedEmpty = false;
    for (let b = 0; b < buckets; b++) {
      // Empty buckets are all alike: one of them is tried.
      if (members[b] === 0) {
        if (triedEmpty) continue;
        triedEmpty = true;
      }
      let rate = 1;
      for (let q = 0; q < K && rate > 0; q++) {
        const at = b * K + q;
        if (any[at] === 0 && keyAny[q] === 0) rate *= passProbability(lo[at]! | keyLo[q]!, hi[at]! | keyHi[q]!);
      }
      const d = rate - rates[b]!;
      if (d < increase) {
        increase = d;
        choice = b;
        choiceRate = rate;
      }
    }
    for (let q = 0; q < K; q++) {
      const at = choice * K + q;
      lo[at]! |= keyLo[q]!;
      hi[at]! |= keyHi[q]!;
      any[at]! |= keyAny[q]!;
    }
    cost += choiceRate * (HIT_COST_NS + COMPARE_COST_NS * (members[choice]! + 1)) - rates[choice]! * (HIT_COST_NS + COMPARE_COST_NS * members[choice]!);
    if (cost > budget) return null;
    rates[choice] = choiceRate;
    members[choice]!++;
    bucketOf[k.slot] = choice;
  }
  return { sets, keyBytes: K, keys, bucketOf, lo, hi, any, cost };
}

/**
 * The Teddy engine (after Hyperscan's literal matcher of that name): a WebAssembly SIMD loop
 * that checks 16 bytes per step against nibble tables of a few key bytes per pattern (see
 * teddy-wasm.ts), for sets of up to a few hundred patterns whose keys spread well over 8, 16 or
 * 32 buckets. Each step whose lanes survive is verified here: the patterns of each surviving
 * bucket are compared in full where their key would put them. Reports exactly the patterns that
 * occur, as the other engines; a bucket whose patterns were all found in the current candidate
 * set is no longer verified.
 */
export class TeddyScanner {
  readonly quadFilterBits = 0;
  readonly sets: number;
  readonly keyBytes: number;

  private readonly runtime: TeddyRuntime;
  private readonly loop: (start: number, end: number, tables: number, out: number, cap: number) => number;
  /** The loop's tables, copied into the shared memory's table area when this scanner runs. */
  private readonly tables: Uint8Array;
  private readonly pool: Uint8Array;
  private readonly patStart: Int32Array;
  private readonly patLength: Int32Array;
  private readonly patNocase: Uint8Array;
  private readonly idStart: Int32Array;
  private readonly ids: Uint32Array;
  /**
   * Per bucket: its members (slots) in memberSlot[memberFirst[b] .. memberFirst[b+1]), with their
   * key ends, key lengths and keys (the key's bytes folded, the last one lowest), sorted by key
   * length (longest first) and then key; memberGroupEnd[m] ends the run of m's key length.
   * A hit then compares only the members whose key the buffer holds there (a binary search),
   * not every member of the bucket.
   */
  private readonly memberFirst: Int32Array;
  private readonly memberSlot: Int32Array;
  private readonly memberKeyEnd: Int32Array;
  private readonly memberKeyLength: Int32Array;
  private readonly memberKey: Int32Array;
  private readonly memberGroupEnd: Int32Array;
  /** Bytes a scan starts before `start`: a key's first byte lies at most this far before its pattern's end. */
  private readonly lookback: number;
  private readonly slotDone: Int32Array;
  /** Patterns of each bucket not found yet, valid in the epoch of bucketStamp (0 in it: the bucket is done). */
  private readonly bucketLeft: Int32Array;
  private readonly bucketStamp: Int32Array;
  private readonly found: FoundBits;
  private short: ScalarScanner | null = null;

  private constructor(
    slots: PatternSlots,
    best: Layout,
    runtime: TeddyRuntime,
    /** The engine for short ranges (the step or byte engine the set would get without Teddy). */
    private readonly scalar: () => ScalarScanner,
    private readonly shortRange: number,
  ) {
    this.runtime = runtime;
    this.sets = best.sets;
    this.keyBytes = best.keyBytes;
    this.loop = runtime.loop(best.sets, best.keyBytes);
    const S = best.sets;
    const K = best.keyBytes;
    const tables = new Uint8Array(tableBytes(S, K));
    for (let b = 0; b < S * BUCKETS_PER_SET; b++) {
      const s = b >>> 3;
      const bit = 1 << (b & 7);
      for (let q = 0; q < K; q++) {
        const any = best.any[b * K + q] === 1;
        const lo = best.lo[b * K + q]!;
        const hi = best.hi[b * K + q]!;
        const at = tableOffset(K, s, q);
        for (let x = 0; x < 16; x++) {
          if (any || ((lo >>> x) & 1) !== 0) tables[at + x]! |= bit;
          if (any || ((hi >>> x) & 1) !== 0) tables[at + 16 + x]! |= bit;
        }
        // Before the first scanned byte anything stands where a short key allows anything.
        if (q < K - 1 && any) for (let x = 0; x < 16; x++) tables[initialMaskOffset(S, K, s, q) + x]! |= bit;
      }
    }
    if (tables.length > TABLE_AREA) throw new RangeError('teddy: tables larger than the table area');
    this.tables = tables;
    this.pool = slots.pool;
    this.patStart = slots.start;
    this.patLength = slots.length;
    this.patNocase = slots.nocase;
    this.idStart = slots.idStart;
    this.ids = slots.ids;
    const buckets = S * BUCKETS_PER_SET;
    const count = new Int32Array(buckets + 1);
    for (let s = 0; s < slots.count; s++) count[best.bucketOf[s]! + 1]!++;
    for (let b = 0; b < buckets; b++) count[b + 1]! += count[b]!;
    this.memberFirst = count;
    const n = slots.count;
    this.memberSlot = new Int32Array(n);
    this.memberKeyEnd = new Int32Array(n);
    this.memberKeyLength = new Int32Array(n);
    this.memberKey = new Int32Array(n);
    this.memberGroupEnd = new Int32Array(n);
    const keyOf = (k: Keyed): number => {
      const kl = Math.min(K, slots.length[k.slot]!);
      let v = 0;
      // Pool bytes of nocase patterns are stored folded; folding the others too only widens the match.
      for (let i = 0; i < kl; i++) v |= FOLD[slots.pool[slots.start[k.slot]! + k.keyEnd - 1 - i]!]! << (8 * i);
      return v | 0;
    };
    const byBucket = Array.from({ length: buckets }, (): Keyed[] => []);
    for (const k of best.keys) byBucket[best.bucketOf[k.slot]!]!.push(k);
    let lookback = 0;
    for (let b = 0; b < buckets; b++) {
      const members = byBucket[b]!.map((k) => ({ k, length: Math.min(K, slots.length[k.slot]!), key: keyOf(k) }));
      members.sort((x, y) => y.length - x.length || x.key - y.key);
      let at = count[b]!;
      for (const m of members) {
        this.memberSlot[at] = m.k.slot;
        this.memberKeyEnd[at] = m.k.keyEnd;
        this.memberKeyLength[at] = m.length;
        this.memberKey[at] = m.key;
        lookback = Math.max(lookback, slots.length[m.k.slot]! - m.k.keyEnd);
        at++;
      }
      for (let m = count[b + 1]! - 1, groupEnd = count[b + 1]!; m >= count[b]!; m--) {
        if (m + 1 < count[b + 1]! && this.memberKeyLength[m] !== this.memberKeyLength[m + 1]) groupEnd = m + 1;
        this.memberGroupEnd[m] = groupEnd;
      }
    }
    this.lookback = lookback + K;
    this.slotDone = new Int32Array(slots.count);
    this.bucketLeft = new Int32Array(buckets);
    this.bucketStamp = new Int32Array(buckets);
    this.found = new FoundBits(new Int32Array(0), new Int32Array(0), 0, () => {
      this.slotDone.fill(0);
      this.bucketStamp.fill(0);
    });
  }

  /**
   * A Teddy scanner for `slots` when one is expected to beat the step engine (few enough
   * patterns, keys that spread over the buckets), else null. Null too without WebAssembly SIMD.
   */
  static tryBuild(slots: PatternSlots, maxKeyLookahead: number, scalar: () => ScalarScanner, force = false, shortRange = DEFAULT_SHORT_RANGE): TeddyScanner | null {
    if (slots.count === 0 || slots.count > MAX_TEDDY_PATTERNS) return null;
    const runtime = teddyRuntime();
    if (runtime === null) return null;
    let best: Layout | null = null;
    // Keys depend on the key length only: chosen once per length.
    const keysByLength = new Map<number, Keyed[]>();
    // The shape whose buckets suit the set's size first: its cost is the budget that stops the
    // other layouts early (most are beaten within their first few keys).
    const likely = SHAPES[slots.count <= 24 ? 0 : slots.count <= 96 ? 2 : 4]!;
    for (const [sets, K, loopCost] of [likely, ...SHAPES.filter((shape) => shape !== likely)]) {
      const budget = best !== null ? best.cost : force ? Infinity : MAX_TEDDY_COST;
      if (loopCost >= budget) continue;
      let keys = keysByLength.get(K);
      if (keys === undefined) keysByLength.set(K, (keys = Array.from({ length: slots.count }, (_, s) => chooseKey(slots, s, K, maxKeyLookahead))));
      const l = layout(slots, keys, sets, K, loopCost, budget);
      if (l !== null && (best === null || l.cost < best.cost)) best = l;
    }
    if (best === null) return null;
    return new TeddyScanner(slots, best, runtime, scalar, shortRange);
  }

  get memoryBytes(): number {
    return (this.short?.memoryBytes ?? 0) + this.tables.byteLength + this.memberFirst.byteLength + this.memberSlot.byteLength + this.memberKeyEnd.byteLength
      + this.memberKeyLength.byteLength + this.memberKey.byteLength + this.memberGroupEnd.byteLength
      + this.slotDone.byteLength + this.bucketLeft.byteLength + this.bucketStamp.byteLength;
  }

  /** As StepScanner.scanWithContext: patterns occurring in buf[contextStart, end) that end after `start`. */
  scanWithContext(buf: Uint8Array, contextStart: number, start: number, end: number, out: CandidateSet): void {
    if (end - Math.max(contextStart, start - this.lookback) <= this.shortRange) {
      // Each engine keeps its own record of what it found in the set; adding an id twice is harmless.
      this.scalarScanner().scanWithContext(buf, contextStart, start, end, out);
      return;
    }
    this.found.begin(out);
    // In slices, so the shared memory stays bounded whatever the range; each slice after the
    // first starts K-1 bytes back, so a key ending in it has all its bytes there.
    const overlap = this.keyBytes - 1;
    for (let a = Math.max(contextStart, start - this.lookback); ; a -= overlap) {
      const b = Math.min(end, a + MAX_SLICE);
      if (!this.scanSlice(buf, contextStart, start, end, a, b, out)) {
        // Bytes that hit keys at most steps (a run of "AAAA", of CR LF): the step engine, which
        // clears a key once its patterns are found, takes the whole range (found ids are kept).
        this.scalarScanner().scanWithContext(buf, contextStart, start, end, out);
        return;
      }
      if (b === end) return;
      a = b;
    }
  }

  private scalarScanner(): ScalarScanner {
    return (this.short ??= this.scalar());
  }

  /**
   * Runs the SIMD loop over buf[from, to) and verifies what it leaves, for occurrences in [lo,
   * end) ending after start. False, with nothing verified, when more than a quarter of the
   * steps hit: verifying them would cost far more than the scalar engine.
   */
  private scanSlice(buf: Uint8Array, lo: number, start: number, end: number, from: number, to: number, out: CandidateSet): boolean {
    const n = to - from;
    const S = this.sets;
    const cap = (n >>> 4) + 2;
    const data = this.runtime.dataStart;
    const outAt = (data + n + 32 + 15) & ~15;
    const mem = this.runtime.view(outAt + cap * (16 * S + 8));
    if (n <= COPY_BY_LOOP) for (let k = 0; k < n; k++) mem[data + k] = buf[from + k]!;
    else mem.set(from === 0 && to === buf.length ? buf : buf.subarray(from, to), data);
    // The last step reads up to 15 bytes past the data: what is there only costs verifications.
    this.runtime.useTables(this, this.tables);
    const hits = this.loop(data, data + n, 0, outAt, cap);
    if (hits === 0) return true;
    if (hits * 4 > (n >>> 4) + 1 && n >= DENSE_MIN) return false;
    const epoch = this.found.epoch;
    const posAt = outAt + cap * 16 * S;
    const base = from - data;
    for (let h = 0; h < hits; h++) {
      const at = posAt + 8 * h;
      const step = (mem[at]! | (mem[at + 1]! << 8) | (mem[at + 2]! << 16) | (mem[at + 3]! << 24)) + base;
      const masks = outAt + h * 16 * S;
      for (let lanes = mem[at + 4]! | (mem[at + 5]! << 8); lanes !== 0; lanes &= lanes - 1) {
        const j = 31 - Math.clz32(lanes & -lanes);
        for (let s = 0; s < S; s++) {
          let lane = mem[masks + 16 * s + j]!;
          while (lane !== 0) {
            const bit = 31 - Math.clz32(lane & -lane);
            lane &= lane - 1;
            const bucket = s * BUCKETS_PER_SET + bit;
            if (this.bucketStamp[bucket] === epoch && this.bucketLeft[bucket] === 0) continue;
            // The key's last byte is at buf[step + j].
            this.verifyBucket(buf, lo, start, end, bucket, step + j, out);
          }
        }
      }
    }
    return true;
  }

  private verifyBucket(buf: Uint8Array, lo: number, start: number, end: number, bucket: number, keyLast: number, out: CandidateSet): void {
    const epoch = this.found.epoch;
    if (this.bucketStamp[bucket] !== epoch) {
      // First hit of the bucket in this epoch: none of its patterns found yet.
      this.bucketStamp[bucket] = epoch;
      this.bucketLeft[bucket] = this.memberFirst[bucket + 1]! - this.memberFirst[bucket]!;
    }
    if (keyLast >= end) return;
    const keyEnd = this.memberKeyEnd;
    const keys = this.memberKey;
    for (let g = this.memberFirst[bucket]!, e = this.memberFirst[bucket + 1]!; g < e; g = this.memberGroupEnd[g]!) {
      const kl = this.memberKeyLength[g]!;
      if (keyLast - kl + 1 < lo) continue;
      let v = 0;
      for (let i = 0; i < kl; i++) v |= FOLD[buf[keyLast - i]!]! << (8 * i);
      v |= 0;
      // The first member of the run with key v, if any.
      let a = g;
      let b = this.memberGroupEnd[g]!;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (keys[mid]! < v) a = mid + 1;
        else b = mid;
      }
      for (let m = a, stopAt = this.memberGroupEnd[g]!; m < stopAt && keys[m] === v; m++) {
        const s = this.memberSlot[m]!;
        if (this.slotDone[s] === epoch) continue;
        const at = keyLast + 1 - keyEnd[m]!;
        const stop = at + this.patLength[s]!;
        if (at < lo || stop > end || stop <= start) continue;
        if (!poolBytesAt(buf, at, stop, this.pool, this.patStart[s]! - at, this.patNocase[s] !== 0)) continue;
        this.slotDone[s] = epoch;
        for (let k = this.idStart[s]!, ke = this.idStart[s + 1]!; k < ke; k++) out.add(this.ids[k]!);
        this.bucketLeft[bucket]!--;
      }
    }
  }
}
