/**
 * TCP sequence-number arithmetic (RFC 1982 serial-number style, 32 bits).
 * Sequence numbers are carried as unsigned 32-bit values in plain numbers; differences are
 * taken modulo 2^32 and read as signed, so comparisons stay right across wraparound.
 */

/** Signed distance from b to a, in (-2^31, 2^31]. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqLeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqGeq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** a + n, wrapped to an unsigned 32-bit value. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
