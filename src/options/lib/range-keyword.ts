import type { KeywordCategory, KeywordModule } from '../keyword.js';
import type { HeaderFacts, HeaderMatcher } from '../matcher.js';
import { rangeHolds } from './range-match.js';
import { parseRange, printRange, type NumericRange, type RangeOp } from './range.js';
import { requireValue } from './text.js';

/**
 * The header field a range keyword compares: the HeaderFacts fields it needs (FACT_* bits),
 * how to read it (`read` reads the fields of `needs` alone), and an optional precondition (tos
 * and id exist in IPv4 headers only).
 */
export interface RangeField {
  needs: number;
  read: (h: HeaderFacts) => number;
  applies?: (h: HeaderFacts) => boolean;
}

/** A keyword whose whole value is one numeric range (ttl, itype, window, ...). */
export function rangeKeyword(
  keyword: string,
  min: number,
  max: number,
  ops: readonly RangeOp[],
  example: string,
  opts: { aliases?: readonly string[]; category?: KeywordCategory; hex?: boolean; singleUse?: boolean; field?: RangeField } = {},
): KeywordModule<NumericRange> {
  const field = opts.field;
  return {
    ...(field !== undefined ? { condition: (value: NumericRange) => rangeCondition(field, value) } : {}),
    keyword,
    aliases: opts.aliases,
    category: opts.category ?? 'non-payload',
    takesValue: 'required',
    singleUse: opts.singleUse,
    parse(raw, ctx) {
      const v = requireValue(keyword, raw, ctx, `${keyword}:${example};`);
      return v && parseRange(v, { keyword, min, max, ops, hex: opts.hex }, ctx);
    },
    print: printRange,
  };
}

/** The range compared with a header field (both range spellings exclusive: see range-match.ts). */
function rangeCondition(field: RangeField, range: NumericRange): HeaderMatcher {
  const { read, applies, needs } = field;
  // Without a precondition the field read is all the test depends on.
  if (applies === undefined) return { needs, decidedBy: needs, test: (h) => rangeHolds(range, read(h)) };
  return { needs, test: (h) => applies(h) && rangeHolds(range, read(h)) };
}
