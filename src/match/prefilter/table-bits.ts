/** Bit tables shared by both scanners' builders. */

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
