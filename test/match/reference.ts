/**
 * A plain reference evaluator for content chains, written from the rule language's definition
 * rather than from the engine: every occurrence of every content is enumerated, and a rule
 * matches when some choice of occurrences satisfies all of them (with the cursor after each
 * match feeding the next relative content). No prefilter, no retry bookkeeping, no early exit.
 *
 * Window of a content (Suricata's arithmetic):
 * - offset/depth: it lies in [offset, offset + depth) of the buffer;
 * - distance/within: in [cursor + distance, cursor + distance + within), start clamped at 0,
 *   end at the buffer end when it falls before 0 (Suricata sums them as unsigned 32-bit numbers);
 * - startswith: at 0; endswith: it ends at the buffer end;
 * - negated: no occurrence lies in its window (the cursor does not move).
 */
export interface RefContent {
  bytes: Uint8Array;
  nocase: boolean;
  negated: boolean;
  offset?: number;
  depth?: number;
  distance?: number;
  within?: number;
  startsWith?: boolean;
  endsWith?: boolean;
}

function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

function occursAt(buf: Uint8Array, p: number, c: RefContent): boolean {
  if (p < 0 || p + c.bytes.length > buf.length) return false;
  for (let j = 0; j < c.bytes.length; j++) {
    const x = buf[p + j]!;
    const y = c.bytes[j]!;
    if (c.nocase ? lower(x) !== lower(y) : x !== y) return false;
  }
  return true;
}

/** Start positions of the content's occurrences inside its window for this cursor. */
export function occurrences(buf: Uint8Array, cursor: number, c: RefContent): number[] {
  const len = buf.length;
  let lo: number;
  let hi: number;
  if (c.distance !== undefined || c.within !== undefined) {
    const d = c.distance ?? 0;
    lo = Math.max(0, cursor + d);
    hi = c.within !== undefined ? cursor + d + c.within : len;
    if (hi < 0) hi = len;
  } else if (c.startsWith === true) {
    lo = 0;
    hi = c.bytes.length;
  } else {
    lo = c.offset ?? 0;
    hi = c.depth !== undefined ? lo + c.depth : len;
  }
  hi = Math.min(hi, len);
  const out: number[] = [];
  for (let p = lo; p + c.bytes.length <= hi; p++) {
    if (c.endsWith === true && p + c.bytes.length !== len) continue;
    if (occursAt(buf, p, c)) out.push(p);
  }
  return out;
}

export function referenceMatch(buf: Uint8Array, chain: readonly RefContent[]): boolean {
  const go = (i: number, cursor: number): boolean => {
    if (i === chain.length) return true;
    const c = chain[i]!;
    const occ = occurrences(buf, cursor, c);
    if (c.negated) return occ.length === 0 && go(i + 1, cursor);
    return occ.some((p) => go(i + 1, p + c.bytes.length));
  };
  return go(0, 0);
}
