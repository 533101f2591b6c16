import type { PrefilterPattern } from '../../../src/match/prefilter/index.js';

/** ASCII folding of one byte, as nocase does it. */
export function foldByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

function folded(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.map(foldByte));
}

/**
 * Naive reference: ids of the patterns with an occurrence inside buf[contextStart, end) that ends
 * after `start` (plain scans use contextStart = start). One Buffer.indexOf per pattern, on a folded
 * copy of the haystack for nocase patterns.
 */
export function referenceIds(
  patterns: readonly PrefilterPattern[],
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  contextStart = start,
): number[] {
  const exact = Buffer.from(buf.subarray(contextStart, end));
  const lower = folded(exact);
  const ids = new Set<number>();
  for (const p of patterns) {
    const len = p.bytes.length;
    // An occurrence ending after `start` begins at start - len + 1 or later.
    const from = Math.max(0, start - contextStart - len + 1);
    if (from + len > exact.length) continue;
    const at = p.nocase ? lower.indexOf(folded(p.bytes), from) : exact.indexOf(Buffer.from(p.bytes), from);
    if (at >= 0) ids.add(p.id);
  }
  return [...ids].sort((a, b) => a - b);
}

export function sorted(ids: Iterable<number>): number[] {
  return [...ids].sort((a, b) => a - b);
}

export function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
