import type { KeywordCategory, KeywordModule } from '../keyword.js';
import { parseRange, printRange, type NumericRange, type RangeOp } from './range.js';
import { requireValue } from './text.js';

/** A keyword whose whole value is one numeric range (ttl, itype, window, ...). */
export function rangeKeyword(
  keyword: string,
  min: number,
  max: number,
  ops: readonly RangeOp[],
  example: string,
  opts: { category?: KeywordCategory; hex?: boolean; singleUse?: boolean } = {},
): KeywordModule<NumericRange> {
  return {
    keyword,
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
