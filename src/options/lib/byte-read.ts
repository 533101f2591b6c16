import type { Endian, NumberBase } from './byte-options.js';

/**
 * Reads the number byte_test, byte_jump, byte_extract and byte_math take from a buffer:
 * `nbytes` bytes at `pos`, binary (big or little endian; `dce` in the byte order of the DCE/RPC
 * request under inspection, `dceLittle`, and big-endian outside one, as Suricata reads it) or,
 * with `string`, as digits of the given base. Returns NaN when the
 * bytes are not all inside the buffer or hold no digits. Values above 2^53 lose precision.
 */
export function readNumber(buf: Uint8Array, pos: number, nbytes: number, endian: Endian, base: NumberBase | undefined, dceLittle = false): number {
  if (pos < 0 || nbytes <= 0 || pos + nbytes > buf.length) return NaN;
  if (base !== undefined) return readDigits(buf, pos, nbytes, base);
  let v = 0;
  if (endian === 'little' || (endian === 'dce' && dceLittle)) {
    for (let i = nbytes - 1; i >= 0; i--) v = v * 256 + buf[pos + i]!;
  } else {
    for (let i = 0; i < nbytes; i++) v = v * 256 + buf[pos + i]!;
  }
  return v;
}

/** strtoull over at most `nbytes` characters: optional blanks and '+', then digits of the base. */
function readDigits(buf: Uint8Array, pos: number, nbytes: number, base: NumberBase): number {
  const radix = base === 'hex' ? 16 : base === 'oct' ? 8 : 10;
  const end = pos + nbytes;
  let i = pos;
  while (i < end && (buf[i] === 0x20 || (buf[i]! >= 0x09 && buf[i]! <= 0x0d))) i++;
  if (i < end && buf[i] === 0x2b) i++;
  if (radix === 16 && i + 1 < end && buf[i] === 0x30 && (buf[i + 1] === 0x78 || buf[i + 1] === 0x58)) i += 2;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const d = digitValue(buf[i]!);
    if (d < 0 || d >= radix) break;
    v = v * radix + d;
    digits++;
  }
  return digits === 0 ? NaN : v;
}

function digitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

/** `bitmask`: keep the masked bits, shifted down past the mask's trailing zeros. */
export function applyBitmask(v: number, mask: number): number {
  if (mask === 0) return 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  if (v <= 0xffffffff) return ((v & mask) >>> 0) / 2 ** shift;
  const masked = BigInt(Math.trunc(v)) & BigInt(mask >>> 0);
  return Number(masked >> BigInt(shift));
}
