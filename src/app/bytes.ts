/** Byte helpers shared by the HTTP and SMTP parsers: no strings on hot paths. */

export const HT = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const COLON = 0x3a;

export const EMPTY = new Uint8Array(0);

const encoder = new TextEncoder();

/** ASCII text to bytes (tests, constants). */
export function ascii(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes to a string, one char per byte (what EVE shows for non-UTF-8 protocol fields). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/** RFC 7230 tchar: the characters allowed in a method or header name. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

export function isTchar(b: number): boolean {
  return TCHAR[b] === 1;
}

export function isSpaceOrTab(b: number): boolean {
  return b === SP || b === HT;
}

/** libhtp's htp_is_space (C's isspace): SP, HT, LF, VT, FF, CR. */
export function isHtpSpace(b: number): boolean {
  return b === SP || (b >= HT && b <= CR);
}

/** Index of the first byte in [start, end) that is not an htp_is_space byte other than LF (end if none). */
export function skipLineSpace(buf: Uint8Array, start: number, end: number): number {
  while (start < end) {
    const b = buf[start]!;
    if (b !== SP && (b < HT || b > CR || b === LF)) break;
    start++;
  }
  return start;
}

export function lowerAscii(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** Case-insensitive compare of buf[start..start+lower.length) with an already lower-case pattern. */
export function startsWithLower(buf: Uint8Array, start: number, lower: Uint8Array): boolean {
  if (start + lower.length > buf.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if (lowerAscii(buf[start + i]!) !== lower[i]) return false;
  }
  return true;
}

/** Case-insensitive equality of a whole byte range with a lower-case pattern. */
export function equalsLower(buf: Uint8Array, start: number, end: number, lower: Uint8Array): boolean {
  return end - start === lower.length && startsWithLower(buf, start, lower);
}

/** Index of the first byte in [start, end) that is not SP/HT (end if none). */
export function skipOws(buf: Uint8Array, start: number, end: number): number {
  while (start < end && isSpaceOrTab(buf[start]!)) start++;
  return start;
}

/** End index after dropping trailing SP/HT/CR/LF from [start, end). */
export function trimEndWs(buf: Uint8Array, start: number, end: number): number {
  while (end > start) {
    const b = buf[end - 1]!;
    if (b !== SP && b !== HT && b !== CR && b !== LF) break;
    end--;
  }
  return end;
}

/**
 * Unsigned decimal in [start, end), surrounding whitespace allowed. Returns -1 when it is not a
 * plain number (sign, junk, empty) and -2 when it exceeds 2^53 (an overflow attempt).
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  start = skipOws(buf, start, end);
  end = trimEndWs(buf, start, end);
  if (start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
    if (v > Number.MAX_SAFE_INTEGER) return -2;
  }
  return v;
}

export function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/*
 * Views are taken of the same few arrays over and over (a head, a chunk, a slab). Creating one
 * from a buffer and offset at hand costs about half of subarray() or of reading the array's
 * `buffer` and `byteOffset` getters each time (measured on Node 20: ~45 ns against ~100 ns), so
 * those are read once per array and remembered; an array's buffer and offset never change.
 */
let viewSource: Uint8Array | null = null;
let viewBuffer: ArrayBufferLike = EMPTY.buffer;
let viewBase = 0;

/**
 * b[start..end) as a plain Uint8Array over the same memory: subarray() for the hot paths. Bounds
 * outside b (which subarray would clamp) are left to subarray itself.
 */
export function viewOf(b: Uint8Array, start: number, end: number): Uint8Array {
  if (start < 0 || end < start || end > b.length) return b.subarray(start, end);
  if (b !== viewSource) {
    viewSource = b;
    viewBuffer = b.buffer;
    viewBase = b.byteOffset;
  }
  return new Uint8Array(viewBuffer, viewBase + start, end - start);
}

const SLAB_SIZE = 64 * 1024;
const SLAB_PIECE_MAX = 4096;
let slab = new Uint8Array(SLAB_SIZE);
/** slab.buffer, kept at hand: pieces are views of it (the slab starts at offset 0). */
let slabBuffer: ArrayBufferLike = slab.buffer;
let slabPos = 0;

/**
 * n bytes (contents unspecified: the caller writes them all) that outlive the chunk being
 * parsed (heads, short bodies, buffers built from them). Past 64 bytes a typed array of its own
 * is a zeroed allocation outside V8's heap, several times dearer than a view of a shared slab,
 * and a smaller one kept inside V8's heap is moved out the first time its `buffer` is read (as
 * viewOf and the prefilter do): pieces up to 4 KiB are carved from 64 KiB slabs, as Node pools
 * small Buffers. A slab is freed once no piece of it is referenced.
 */
export function allocBytes(n: number): Uint8Array {
  if (n > SLAB_PIECE_MAX) {
    const b = Buffer.allocUnsafeSlow(n);
    return new Uint8Array(b.buffer, b.byteOffset, n);
  }
  if (slabPos + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabBuffer = slab.buffer;
    slabPos = 0;
  }
  const at = slabPos;
  slabPos = (at + n + 7) & ~7;
  return new Uint8Array(slabBuffer, at, n);
}

/** A copy of src[start..end) that outlives the chunk it came from (see allocBytes). */
export function copyOut(src: Uint8Array, start: number, end: number): Uint8Array {
  const n = end - start;
  const out = allocBytes(n);
  if (n < 32) for (let i = 0; i < n; i++) out[i] = src[start + i]!;
  else out.set(viewOf(src, start, end));
  return out;
}
