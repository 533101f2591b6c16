/**
 * Byte helpers for the builder. Text given where bytes are expected is taken one character
 * per byte (Latin-1), so "\xc0\xaf" means exactly those two bytes: what attack payloads need.
 */
export type Bytes = Uint8Array | string;

export function toBytes(data: Bytes): Uint8Array {
  if (typeof data !== 'string') return data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c > 0xff) {
      throw new RangeError(
        `character U+${c.toString(16).padStart(4, '0')} at index ${i} is not a byte; encode the text with utf8() first`,
      );
    }
    out[i] = c;
  }
  return out;
}

/** UTF-8 encoding, for text that is meant as Unicode rather than raw bytes. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** RFC 1071 ones' complement sum of b[off..end), unfolded, added to `initial`. */
export function onesSum(b: Uint8Array, off = 0, end = b.length, initial = 0): number {
  let sum = initial;
  let i = off;
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < end) sum += b[i]! << 8;
  return sum;
}

/** Folds a ones' complement sum to 16 bits and complements it: the value to store in a header. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}
