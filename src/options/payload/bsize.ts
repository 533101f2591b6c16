import type { KeywordModule } from '../keyword.js';
import { ALL_RANGE_OPS, parseRange, printRange, type NumericRange } from '../lib/range.js';
import { requireValue } from '../lib/text.js';
import { rangeHolds } from '../lib/range-match.js';
import { ABORT, type Inspection, type PayloadMatcher } from '../matcher.js';
import type { BsizeMatch } from '../rule-body.js';

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
  payloadMatcher: (el) => new BufferSizeMatcher((el as BsizeMatch).value),
};

/** bsize (and urilen, which is bsize of http.uri or http.uri.raw): the length of the buffer. */
export class BufferSizeMatcher implements PayloadMatcher {
  readonly relative = false;
  readonly searches = false;
  readonly independent = true;
  readonly absolute = true;
  readonly advances = false;

  constructor(private readonly range: NumericRange) {}

  match(ins: Inspection, cursor: number, _from: number): number {
    return rangeHolds(this.range, ins.buf.length) ? cursor : ABORT;
  }
}
