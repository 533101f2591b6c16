import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';
import { bitsHold, FACT_FRAG } from '../matcher.js';

export const FRAG_MORE = 1;
export const FRAG_DONT = 2;
export const FRAG_RESERVED = 4;

export interface FragbitsValue {
  /** exact: these bits and no others; all (`+`): at least these; any (`*`); not (`!`): none of these. */
  mode: 'exact' | 'all' | 'any' | 'not';
  /** FRAG_* bits. */
  bits: number;
}

const BITS: ReadonlyMap<string, number> = new Map([['M', FRAG_MORE], ['D', FRAG_DONT], ['R', FRAG_RESERVED]]);
const MODES: ReadonlyMap<string, FragbitsValue['mode']> = new Map([['+', 'all'], ['*', 'any'], ['!', 'not']]);

/** `fragbits:[!|*|+]MDR;` the IP fragmentation bits (More fragments, Don't fragment, Reserved). */
export const fragbits: KeywordModule<FragbitsValue> = {
  keyword: 'fragbits',
  category: 'non-payload',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('fragbits', raw, ctx, 'fragbits:M;');
    if (v === undefined) return undefined;
    let mode: FragbitsValue['mode'] = 'exact';
    let modeSeen = false;
    let bits = 0;
    for (let i = 0; i < v.text.length; i++) {
      const ch = v.text[i]!;
      const m = MODES.get(ch);
      if (m !== undefined) {
        if (modeSeen) {
          ctx.error('fragbits takes one modifier (+, * or !)', v.offset + i, 1);
          return undefined;
        }
        modeSeen = true;
        mode = m;
        continue;
      }
      if (ch === ' ') continue;
      const b = BITS.get(ch.toUpperCase());
      if (b === undefined) {
        ctx.error(`unknown fragment bit '${ch}': use M (more fragments), D (don't fragment), R (reserved) with +, * or !`, v.offset + i, 1);
        return undefined;
      }
      bits |= b;
    }
    if (bits === 0) {
      ctx.error('fragbits needs at least one of M, D, R', v.offset, v.text.length);
      return undefined;
    }
    return { mode, bits };
  },
  print(v) {
    const prefix = v.mode === 'all' ? '+' : v.mode === 'any' ? '*' : v.mode === 'not' ? '!' : '';
    return prefix + (v.bits & FRAG_MORE ? 'M' : '') + (v.bits & FRAG_DONT ? 'D' : '') + (v.bits & FRAG_RESERVED ? 'R' : '');
  },
  // HeaderFacts.fragBits uses the FRAG_* bit values above.
  condition: (v) => ({ needs: FACT_FRAG, test: (h) => bitsHold(v.mode, v.bits, h.fragBits, 0) }),
};
