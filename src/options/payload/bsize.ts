import type { KeywordModule } from '../keyword.js';
import { ALL_RANGE_OPS, parseRange, printRange, type NumericRange } from '../lib/range.js';
import { requireValue } from '../lib/text.js';

/** `bsize:N;` (and `<N`, `>N`, `N<>M`, ...) the size of the current sticky buffer. */
export const bsize: KeywordModule<NumericRange> = {
  keyword: 'bsize',
  category: 'payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('bsize', raw, ctx, 'bsize:10;');
    return v && parseRange(v, { keyword: 'bsize', min: 0, max: Number.MAX_SAFE_INTEGER, ops: ALL_RANGE_OPS }, ctx);
  },
  print: printRange,
};
