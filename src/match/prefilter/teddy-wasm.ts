/**
 * The SIMD loop of the Teddy engine (teddy-scanner.ts), as a WebAssembly module written out
 * here byte by byte: no toolchain, and one module per shape (table sets x key length), made on
 * first use and shared by every prefilter of that shape.
 *
 * The loop reads 16 bytes per step. For each key position q and each set of 8 buckets it looks
 * up the low and the high nibble of every byte in two 16-entry tables (i8x16.swizzle) and ANDs
 * them: bit b of lane j says "byte j may be key byte q of a pattern in bucket b". The masks of
 * the K positions are shifted against each other across the step boundary (i8x16.shuffle with
 * the previous step's masks) and ANDed, so a bit left in lane j says a key of that bucket may
 * end at byte j. Steps with any bit left are written out for verification:
 * `scan(start, end, tables, out, cap)` writes, per such step n, its S result vectors at
 * out + n*16*S, and at out + cap*16*S + 8*n its address and a 16-bit mask of the lanes with a bit
 * left; it returns the number of steps.
 */

/** The part of the WebAssembly global used here (the project's type libraries leave it out). */
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
};

/** Buckets per table set (the bits of a lane). */
export const BUCKETS_PER_SET = 8;

/** Bytes of the table area of a shape: lo/hi tables per set and position, then the initial masks. */
export function tableBytes(sets: number, keyBytes: number): number {
  return sets * keyBytes * 32 + sets * (keyBytes - 1) * 16;
}

/** Offset of the lo table of (set s, position q); the hi table follows it. */
export function tableOffset(keyBytes: number, s: number, q: number): number {
  return (s * keyBytes + q) * 32;
}

/** Offset of the mask that stands for "before the scanned bytes" at (set s, position q < K-1). */
export function initialMaskOffset(sets: number, keyBytes: number, s: number, q: number): number {
  return sets * keyBytes * 32 + (s * (keyBytes - 1) + q) * 16;
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function name(s: string): number[] {
  return [...leb(s.length), ...Buffer.from(s, 'latin1')];
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...leb(bytes.length), ...bytes];
}

// Opcodes used (core and SIMD, https://webassembly.github.io/spec/core/binary/instructions.html).
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_STORE = 0x36;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const V128_CONST = 0x0c;
const I8X16_SHUFFLE = 0x0d;
const I8X16_SWIZZLE = 0x0e;
const V128_AND = 0x4e;
const V128_OR = 0x50;
const V128_ANY_TRUE = 0x53;
const I8X16_SHR_U = 0x6d;
const I8X16_NE = 0x24;
const I8X16_BITMASK = 0x64;
const I32 = 0x7f;
const V128 = 0x7b;

/** The module for S table sets and K-byte keys (K in 2..4), importing its memory as env.mem. */
export function teddyModuleBytes(sets: number, keyBytes: number): Uint8Array {
  const K = keyBytes;
  const S = sets;
  // Parameters 0-4, then locals: i32 i, n; v128 tables (S*K*2), previous masks (S*(K-1)),
  // nibble mask, lo, hi, current masks (K), results (S), any.
  const START = 0;
  const END_ = 1;
  const TABLES = 2;
  const OUT = 3;
  const CAP = 4;
  const I = 5;
  const N = 6;
  let next = 7;
  const table = (s: number, q: number, hi: number): number => 7 + (s * K + q) * 2 + hi;
  next += S * K * 2;
  const prevBase = next;
  const prev = (s: number, q: number): number => prevBase + s * (K - 1) + q;
  next += S * (K - 1);
  const NIB = next++;
  const LO = next++;
  const HI = next++;
  const curBase = next;
  const cur = (q: number): number => curBase + q;
  next += K;
  const resBase = next;
  const res = (s: number): number => resBase + s;
  next += S;
  const ANY = next++;
  const v128Locals = next - 7;

  const c: number[] = [];
  const get = (l: number): void => void c.push(LOCAL_GET, ...leb(l));
  const set = (l: number): void => void c.push(LOCAL_SET, ...leb(l));
  const simd = (op: number, ...imm: number[]): void => void c.push(SIMD, ...leb(op), ...imm);
  const i32 = (v: number): void => void c.push(I32_CONST, ...sleb(v));
  const load = (offset: number): void => simd(V128_LOAD, 4, ...leb(offset));

  for (let s = 0; s < S; s++) {
    for (let q = 0; q < K; q++) {
      get(TABLES);
      load(tableOffset(K, s, q));
      set(table(s, q, 0));
      get(TABLES);
      load(tableOffset(K, s, q) + 16);
      set(table(s, q, 1));
    }
    for (let q = 0; q < K - 1; q++) {
      get(TABLES);
      load(initialMaskOffset(S, K, s, q));
      set(prev(s, q));
    }
  }
  simd(V128_CONST, ...new Array<number>(16).fill(0x0f));
  set(NIB);
  get(START);
  set(I);
  i32(0);
  set(N);
  c.push(BLOCK, VOID, LOOP, VOID);
  get(I);
  get(END_);
  c.push(I32_GE_U, BR_IF, 1);
  get(I);
  load(0);
  set(LO);
  get(LO);
  i32(4);
  simd(I8X16_SHR_U);
  set(HI);
  get(LO);
  get(NIB);
  simd(V128_AND);
  set(LO);
  for (let s = 0; s < S; s++) {
    for (let q = 0; q < K; q++) {
      get(table(s, q, 0));
      get(LO);
      simd(I8X16_SWIZZLE);
      get(table(s, q, 1));
      get(HI);
      simd(I8X16_SWIZZLE);
      simd(V128_AND);
      set(cur(q));
    }
    // Key byte q of a key ending at lane j sits at lane j - (K-1-q): shift its mask up by that.
    get(cur(K - 1));
    for (let q = K - 2; q >= 0; q--) {
      const shift = K - 1 - q;
      get(prev(s, q));
      get(cur(q));
      simd(I8X16_SHUFFLE, ...Array.from({ length: 16 }, (_, j) => 16 - shift + j));
      simd(V128_AND);
    }
    set(res(s));
    for (let q = 0; q < K - 1; q++) {
      get(cur(q));
      set(prev(s, q));
    }
  }
  get(res(0));
  for (let s = 1; s < S; s++) {
    get(res(s));
    simd(V128_OR);
  }
  set(ANY);
  get(ANY);
  simd(V128_ANY_TRUE);
  c.push(IF, VOID);
  for (let s = 0; s < S; s++) {
    // out + n*16*S + 16*s
    get(OUT);
    get(N);
    i32(4 + Math.log2(S));
    c.push(I32_SHL, I32_ADD);
    get(res(s));
    simd(V128_STORE, 4, ...leb(16 * s));
  }
  // out + cap*16*S + 8*n: the step's address, then a bit per lane with any bucket left.
  const entryAddress = (): void => {
    get(OUT);
    get(CAP);
    i32(4 + Math.log2(S));
    c.push(I32_SHL, I32_ADD);
    get(N);
    i32(3);
    c.push(I32_SHL, I32_ADD);
  };
  entryAddress();
  get(I);
  c.push(I32_STORE, 2, 0);
  entryAddress();
  get(ANY);
  simd(V128_CONST, ...new Array<number>(16).fill(0));
  simd(I8X16_NE);
  simd(I8X16_BITMASK);
  c.push(I32_STORE, 2, 4);
  get(N);
  i32(1);
  c.push(I32_ADD);
  set(N);
  c.push(END);
  get(I);
  i32(16);
  c.push(I32_ADD);
  set(I);
  c.push(BR, 0, END, END);
  get(N);
  c.push(END);

  const body = [2, ...leb(2), I32, ...leb(v128Locals), V128, ...c];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 1, I32]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('scan'), 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

type ScanFunction = (start: number, end: number, tables: number, out: number, cap: number) => number;

/** Bytes of the table area: the largest shape's tables (4 sets, 4-byte keys: 704 bytes) fit. */
export const TABLE_AREA = 1024;

/**
 * The memory every Teddy scan copies its bytes into, and the compiled loops by shape. Scans
 * never run concurrently (as with the step engine's shared word views), so one memory serves all.
 */
class TeddyRuntime {
  readonly memory = new WebAssembly.Memory({ initial: 4 });
  private bytes = new Uint8Array(this.memory.buffer);
  private readonly loops = new Map<number, ScanFunction>();
  /** The scanner whose tables are in the table area now. */
  private tablesOwner: object | null = null;

  loop(sets: number, keyBytes: number): ScanFunction {
    const key = sets * 16 + keyBytes;
    let f = this.loops.get(key);
    if (f === undefined) {
      const module = new WebAssembly.Module(teddyModuleBytes(sets, keyBytes));
      const instance = new WebAssembly.Instance(module, { env: { mem: this.memory } });
      f = instance.exports.scan as ScanFunction;
      this.loops.set(key, f);
    }
    return f;
  }

  /**
   * Puts `owner`'s tables in the table area (at offset 0) unless they are there already: one area
   * for all scanners, so memory does not grow with the number of prefilters ever built.
   */
  useTables(owner: object, tables: Uint8Array): void {
    if (this.tablesOwner === owner) return;
    this.view(TABLE_AREA).set(tables, 0);
    this.tablesOwner = owner;
  }

  /** Where a scan copies its bytes (16-aligned, after the table area). */
  readonly dataStart = TABLE_AREA + 16;

  /** The memory's bytes, at least `size` of them (grown in 64 KiB pages). */
  view(size: number): Uint8Array {
    if (this.bytes.length < size) {
      this.memory.grow(Math.ceil((size - this.bytes.length) / 65536));
      this.bytes = new Uint8Array(this.memory.buffer);
    }
    return this.bytes;
  }
}

let runtime: TeddyRuntime | null | undefined;

/** The shared runtime, or null where WebAssembly SIMD is not available (then no Teddy engine is built). */
export function teddyRuntime(): TeddyRuntime | null {
  if (runtime === undefined) {
    try {
      runtime = typeof WebAssembly === 'object' && WebAssembly.validate(teddyModuleBytes(1, 3)) ? new TeddyRuntime() : null;
    } catch {
      runtime = null;
    }
  }
  return runtime;
}

export type { TeddyRuntime };
