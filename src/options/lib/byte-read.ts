import type { DigitBase, Endian } from './byte-options.js';

/**
 * Where the last readNumber stopped: after the bytes read (binary), or after the last character
 * the number used (`string`, as strtoull's end pointer): Suricata moves the cursor of
 * byte_extract, byte_math and byte_jump past what the number used, not past the whole count.
 * A module-level record rather than a returned object: reading allocates nothing.
 */
export const lastRead = { end: 0 };

/** 2^64: a `-` read by strtoull wraps around it, as in Suricata and Snort. */
const TWO_64 = 2 ** 64;

/**
 * Reads the number byte_test, byte_jump, byte_extract and byte_math take from a buffer:
 * `nbytes` bytes at `pos`, binary (big or little endian; `dce` in the byte order of the DCE/RPC
 * request under inspection, `dceLittle`, and big-endian outside one, as Suricata reads it) or,
 * with `string`, as digits of the given base. Returns NaN when the bytes are not all inside the
 * buffer or hold no digits. Values above 2^53 lose precision (readExact has them whole).
 */
export function readNumber(buf: Uint8Array, pos: number, nbytes: number, endian: Endian, base: DigitBase | undefined, dceLittle = false): number {
  if (pos < 0 || nbytes <= 0 || pos + nbytes > buf.length) return NaN;
  if (base !== undefined) return readDigits(buf, pos, nbytes, base);
  let v = 0;
  if (endian === 'little' || (endian === 'dce' && dceLittle)) {
    for (let i = nbytes - 1; i >= 0; i--) v = v * 256 + buf[pos + i]!;
  } else {
    for (let i = 0; i < nbytes; i++) v = v * 256 + buf[pos + i]!;
  }
  lastRead.end = pos + nbytes;
  return v;
}

/** The same number as readNumber, exact (for values past 2^53); undefined where readNumber gives NaN. */
export function readExact(buf: Uint8Array, pos: number, nbytes: number, endian: Endian, base: DigitBase | undefined, dceLittle = false): bigint | undefined {
  if (pos < 0 || nbytes <= 0 || pos + nbytes > buf.length) return undefined;
  if (base !== undefined) {
    const d = scanDigits(buf, pos, nbytes, base);
    if (d === undefined) return undefined;
    let v = 0n;
    const radix = BigInt(d.radix);
    for (let i = d.start; i < d.end; i++) v = v * radix + BigInt(digitValue(buf[i]!));
    return d.negative ? (2n ** 64n - v) % 2n ** 64n : v;
  }
  let v = 0n;
  if (endian === 'little' || (endian === 'dce' && dceLittle)) {
    for (let i = nbytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[pos + i]!);
  } else {
    for (let i = 0; i < nbytes; i++) v = (v << 8n) | BigInt(buf[pos + i]!);
  }
  return v;
}

/**
 * strtoull over at most `nbytes` characters: optional blanks and a sign, then digits of the
 * base (hex may start with 0x; with base 0, `auto`, a 0x prefix means hex and a leading 0
 * octal). The digits' range, or undefined when there are none.
 */
function scanDigits(buf: Uint8Array, pos: number, nbytes: number, base: DigitBase): { start: number; end: number; radix: number; negative: boolean } | undefined {
  let radix = base === 'hex' ? 16 : base === 'oct' ? 8 : 10;
  const end = pos + nbytes;
  let i = pos;
  while (i < end && (buf[i] === 0x20 || (buf[i]! >= 0x09 && buf[i]! <= 0x0d))) i++;
  let negative = false;
  if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) negative = buf[i++] === 0x2d;
  // `0x` counts as a prefix only before a hex digit (strtoull reads "0xg" as 0).
  const hexPrefix = i + 2 < end && buf[i] === 0x30 && (buf[i + 1] === 0x78 || buf[i + 1] === 0x58) && digitValue(buf[i + 2]!) >= 0;
  if (base === 'auto') radix = hexPrefix ? 16 : i < end && buf[i] === 0x30 ? 8 : 10;
  if (radix === 16 && hexPrefix) i += 2;
  const start = i;
  while (i < end) {
    const d = digitValue(buf[i]!);
    if (d < 0 || d >= radix) break;
    i++;
  }
  return i === start ? undefined : { start, end: i, radix, negative };
}

function readDigits(buf: Uint8Array, pos: number, nbytes: number, base: DigitBase): number {
  const d = scanDigits(buf, pos, nbytes, base);
  if (d === undefined) return NaN;
  let v = 0;
  for (let i = d.start; i < d.end; i++) v = v * d.radix + digitValue(buf[i]!);
  lastRead.end = d.end;
  return d.negative && v !== 0 ? TWO_64 - v : v;
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
  return Number(applyBitmaskExact(BigInt(Math.trunc(v)), mask));
}

export function applyBitmaskExact(v: bigint, mask: number): bigint {
  if (mask === 0) return 0n;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  return (v & BigInt(mask >>> 0)) >> BigInt(shift);
}
