import type { KeywordModule } from '../keyword.js';
import { ALL_RANGE_OPS, parseRange, printRange, type NumericRange } from '../lib/range.js';
import { requireValue, splitList } from '../lib/text.js';
import { BufferSizeMatcher } from '../payload/bsize.js';

export interface UrilenValue {
  range: NumericRange;
  /** Which URI is measured: the normalised one (default) or the raw one. */
  mode?: 'norm' | 'raw';
}

/** `urilen:N[,norm|raw];` (also `<N`, `>N`, `N<>M`) the length of the request URI. */
export const urilen: KeywordModule<UrilenValue> = {
  keyword: 'urilen',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('urilen', raw, ctx, 'urilen:>100;');
    if (v === undefined || raw === null) return undefined;
    const parts = splitList(raw, ',', v.offset, v.offset + v.text.length);
    if (parts.length > 2) {
      ctx.error('urilen takes a length and optionally norm or raw: write urilen:>100,norm;', parts[2]!.offset, 1);
      return undefined;
    }
    const range = parseRange(parts[0]!, { keyword: 'urilen', min: 0, max: 65535, ops: ALL_RANGE_OPS }, ctx);
    if (range === undefined) return undefined;
    if (parts.length === 1) return { range };
    const m = parts[1]!;
    if (m.text !== 'norm' && m.text !== 'raw') {
      ctx.error(`urilen buffer must be norm or raw, not "${m.text}"`, m.offset, Math.max(1, m.text.length));
      return undefined;
    }
    return { range, mode: m.text };
  },
  print: (v) => printRange(v.range) + (v.mode ? `,${v.mode}` : ''),
  // The length of the URI is bsize of http.uri (or http.uri.raw).
  bufferCondition: (v) => ({ buffer: v.mode === 'raw' ? 'http.uri.raw' : 'http.uri', matcher: new BufferSizeMatcher(v.range) }),
};
