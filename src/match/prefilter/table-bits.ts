/** Bit tables and helpers shared by both scanners (step and byte) and their builders. */
import { FOLD } from './ascii.js';

/** Multiplier of the window hashes behind the filter bits. */
export const HASH_MUL = 0x9e3779b1 | 0;
/** Distinct patterns one prefilter holds at most (see the sorts in the table builders). */
export const MAX_SLOTS = 2 ** 21;
/** Multiplier of the confirmation hashes. */
export const CONFIRM_MUL = 0x85ebca6b | 0;

/**
 * Whether buf[at .. stop) equals the stored pattern bytes pool[at + delta ..] (stored folded
 * under nocase, so the subject is folded byte by byte to compare).
 */
export function poolBytesAt(buf: Uint8Array, at: number, stop: number, pool: Uint8Array, delta: number, nocase: boolean): boolean {
  if (nocase) {
    const fold = FOLD;
    for (let j = at; j < stop; j++) if (fold[buf[j]!] !== pool[delta + j]) return false;
  } else {
    for (let j = at; j < stop; j++) if (buf[j] !== pool[delta + j]) return false;
  }
  return true;
}

/** Set bits in a 32-bit word. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The raw bytes a stored pattern byte matches: both cases of a letter under nocase. */
export function spellings(b: number, nocase: boolean): number[] {
  if (nocase && b >= 0x61 && b <= 0x7a) return [b, b - 0x20];
  return [b];
}

/** [word, set bits in all earlier words] per word: the rank of bit j is one lookup away. */
export function rankTable(bits: Int32Array): Int32Array {
  const rank = new Int32Array(bits.length * 2);
  let before = 0;
  for (let k = 0; k < bits.length; k++) {
    rank[2 * k] = bits[k]!;
    rank[2 * k + 1] = before;
    before += popcount(bits[k]!);
  }
  return rank;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
