import type { KeywordModule } from '../keyword.js';
import { parseDecimal, splitList, trimmed } from '../lib/text.js';

export type FastPatternValue =
  | { kind: 'plain' }
  /** Snort's `fast_pattern:only`: the prefilter match alone proves the content. */
  | { kind: 'only' }
  /** `fast_pattern:offset,length`: only that slice of the content goes to the prefilter. */
  | { kind: 'chop'; offset: number; length: number };

/** `fast_pattern[:only|:offset,length];` the preceding content is the rule's prefilter pattern. */
export const fastPattern: KeywordModule<FastPatternValue> = {
  keyword: 'fast_pattern',
  category: 'modifier',
  takesValue: 'optional',
  parse(raw, ctx) {
    if (raw === null || trimmed(raw).text === '') return { kind: 'plain' };
    const v = trimmed(raw);
    if (v.text === 'only') return { kind: 'only' };
    const parts = splitList(raw);
    if (parts.length === 2) {
      const o = parseDecimal(parts[0]!.text);
      const l = parseDecimal(parts[1]!.text);
      if (o !== undefined && l !== undefined && o <= 65535 && l >= 1 && l <= 65535) return { kind: 'chop', offset: o, length: l };
    }
    ctx.error(`fast_pattern takes no value, only, or offset,length: write fast_pattern; or fast_pattern:0,4;`, v.offset, v.text.length);
    return undefined;
  },
  print(v) {
    switch (v.kind) {
      case 'plain':
        return null;
      case 'only':
        return 'only';
      case 'chop':
        return `${v.offset},${v.length}`;
    }
  },
};
