/**
 * Byte-level helpers for the log scanners. Log lines are handled as bytes end to end so that
 * attacker-supplied non-UTF-8 sequences reach the rules unchanged; text is produced only with
 * latin1 (one char per byte, lossless) where a string is really needed.
 */

const SP = 0x20;
const TAB = 0x09;

const EMPTY = new Uint8Array(0);

/** Lossless bytes-to-string (each byte becomes the char with the same code). */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  if (end <= start) return '';
  // Node's native slice reads any Uint8Array: no Buffer view is allocated per call.
  return LATIN1_SLICE.call(b, start, end);
}

const LATIN1_SLICE = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * Index of `byte` in b at or after `from`, or -1: Node's native search (memchr), several times
 * faster than Uint8Array.prototype.indexOf on log lines, and it reads any Uint8Array.
 */
export function indexOfByte(b: Uint8Array, byte: number, from: number): number {
  return BUFFER_INDEX_OF.call(b, byte, from);
}

const BUFFER_INDEX_OF = (Buffer.prototype as unknown as { indexOf(this: Uint8Array, value: number, byteOffset: number): number }).indexOf;

/** Buffers built for records are cut from slabs of this size; larger ones get their own. */
const SLAB_BYTES = 64 * 1024;
const SLAB_MAX_PIECE = 4096;
/** V8 keeps typed arrays up to this size inside its heap, where they are as cheap as a slab view. */
const ON_HEAP_BYTES = 64;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsed = 0;

/**
 * n bytes (contents unspecified: the caller fills them all) for a buffer a record builds
 * (header blocks, request lines, unescaped fields). Past 64 bytes a typed array of its own is
 * a zeroed allocation outside V8's heap, several times dearer than a view of a shared slab, so
 * those are cut from one. A kept piece keeps its slab alive, as a kept line keeps its read chunk.
 */
export function allocBytes(n: number): Uint8Array {
  if (n <= ON_HEAP_BYTES || n > SLAB_MAX_PIECE) return new Uint8Array(n);
  if (slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return out;
}

export function sub(b: Uint8Array, start: number, end: number): Uint8Array {
  return end > start ? b.subarray(start, end) : EMPTY;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isSpace(c: number): boolean {
  return c === SP || c === TAB;
}

export function skipSpaces(b: Uint8Array, i: number, end: number): number {
  while (i < end && (b[i] === SP || b[i] === TAB)) i++;
  return i;
}

/** Index of the first space/tab at or after i (end when none). */
export function tokenEnd(b: Uint8Array, i: number, end: number): number {
  while (i < end && b[i] !== SP && b[i] !== TAB) i++;
  return i;
}

/** Position of ASCII `needle` in b[from, end), or -1. */
export function indexOfAscii(b: Uint8Array, needle: string, from: number, end: number): number {
  const n = needle.length;
  if (n === 0) return from;
  const first = needle.charCodeAt(0);
  outer: for (let i = from; i + n <= end; i++) {
    if (b[i] !== first) continue;
    for (let k = 1; k < n; k++) if (b[i + k] !== needle.charCodeAt(k)) continue outer;
    return i;
  }
  return -1;
}

/** Last position of ASCII `needle` in b[from, end), or -1. */
export function lastIndexOfAscii(b: Uint8Array, needle: string, from: number, end: number): number {
  const n = needle.length;
  outer: for (let i = end - n; i >= from; i--) {
    for (let k = 0; k < n; k++) if (b[i + k] !== needle.charCodeAt(k)) continue outer;
    return i;
  }
  return -1;
}

export function startsWithAscii(b: Uint8Array, at: number, needle: string, end = b.length): boolean {
  if (at + needle.length > end) return false;
  for (let k = 0; k < needle.length; k++) if (b[at + k] !== needle.charCodeAt(k)) return false;
  return true;
}

/** Unsigned decimal in b[start, end); -1 when empty, not all digits, or longer than 15 digits. */
export function parseUint(b: Uint8Array, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Fixed-width decimal (no sign); -1 on any non-digit. */
export function digits(b: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = at; i < at + width; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

export function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Hex or decimal (`0x10`, `16`) as written by netfilter for TOS/PREC; -1 on error. */
export function parseIntAuto(b: Uint8Array, start: number, end: number): number {
  if (end - start > 2 && b[start] === 0x30 && (b[start + 1]! | 0x20) === 0x78) {
    if (end - start > 10) return -1;
    let v = 0;
    for (let i = start + 2; i < end; i++) {
      const h = hexVal(b[i]!);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }
  return parseUint(b, start, end);
}

/** Trim spaces/tabs from both ends; returns [start, end]. */
/** ASCII lower-casing (other bytes unchanged), as a copy. */
export function asciiLower(b: Uint8Array): Uint8Array {
  let needs = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c >= 0x41 && c <= 0x5a) {
      needs = true;
      break;
    }
  }
  if (!needs) return b;
  const out = allocBytes(b.length);
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    out[i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  }
  return out;
}

/** Replace every `from` byte by `to` (copy only when needed); IIS writes spaces as '+'. */
export function replaceByte(b: Uint8Array, from: number, to: number): Uint8Array {
  if (b.indexOf(from) < 0) return b;
  const out = Uint8Array.from(b);
  for (let i = 0; i < out.length; i++) if (out[i] === from) out[i] = to;
  return out;
}

/** Strict UTF-8 validity check (rejects overlongs and surrogates), to decide how to decode JSON. */
export function isValidUtf8(b: Uint8Array, start = 0, end = b.length): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      min = 0x80;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      min = 0x800;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      min = 0x10000;
      cp = c & 0x07;
    } else return false;
    if (i + n >= end) return false;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}
