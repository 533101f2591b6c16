import type { KeywordModule } from '../keyword.js';
import { ALL_RANGE_OPS, parseRange, printRange, type NumericRange } from '../lib/range.js';
import { requireValue } from '../lib/text.js';
import { BufferSizeMatcher } from '../payload/bsize.js';

const UNITS: Readonly<Record<string, number>> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * `filesize:>100KB;` (Suricata; also `N`, `<N`, `N<>M`, units KB MB GB): the size of the
 * transferred file, i.e. the length of its file.data. A body cut at the inspection limit is
 * measured as far as it was kept.
 */
export const filesize: KeywordModule<NumericRange> = {
  keyword: 'filesize',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('filesize', raw, ctx, 'filesize:>100KB;');
    if (v === undefined) return undefined;
    // Units are written after the numbers; the range is read in bytes.
    const text = v.text.replace(/(\d+)\s*(kb|mb|gb)/gi, (_, n: string, u: string) => String(Number(n) * UNITS[u.toLowerCase()]!));
    return parseRange({ text, offset: v.offset }, { keyword: 'filesize', min: 0, max: Number.MAX_SAFE_INTEGER, ops: ALL_RANGE_OPS }, ctx);
  },
  print: (v) => printRange(v),
  bufferCondition: (v) => ({ buffer: 'file.data', matcher: new BufferSizeMatcher(v) }),
};
