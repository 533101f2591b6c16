import type { KeywordModule } from '../keyword.js';
import { FACT_DCE, type HeaderFacts } from '../matcher.js';
import { requireValue, splitList } from '../lib/text.js';

export interface DceOpnumValue {
  /** Inclusive ranges of operation numbers (a single number is a range of one). */
  ranges: Array<[number, number]>;
}

/**
 * `dce_opnum:15;` `dce_opnum:1,2,10-15;` the DCE/RPC request's operation number is one of
 * these (numbers and ranges of 0-65535).
 */
export const dceOpnum: KeywordModule<DceOpnumValue> = {
  keyword: 'dce_opnum',
  aliases: ['dcerpc.opnum'],
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    if (requireValue('dce_opnum', raw, ctx, 'dce_opnum:15; or dce_opnum:1,2,10-15;') === undefined || raw === null) return undefined;
    const ranges: Array<[number, number]> = [];
    for (const p of splitList(raw)) {
      const m = /^([0-9]{1,5})(?:\s*-\s*([0-9]{1,5}))?$/.exec(p.text);
      const a = m === null ? NaN : Number(m[1]);
      const b = m === null ? NaN : m[2] === undefined ? a : Number(m[2]);
      if (!(a <= 65535 && b <= 65535 && a <= b)) {
        ctx.error(`dce_opnum takes numbers or ranges of 0-65535 (low-high), not "${p.text}": write e.g. 15 or 10-15`, p.offset, Math.max(1, p.text.length));
        return undefined;
      }
      ranges.push([a, b]);
    }
    return { ranges };
  },
  print: (v) => v.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(','),
  condition(v) {
    const flat = v.ranges.flat();
    return {
      needs: FACT_DCE,
      test: (h: HeaderFacts): boolean => {
        const op = h.dceOpnum;
        for (let i = 0; i < flat.length; i += 2) if (op >= flat[i]! && op <= flat[i + 1]!) return true;
        return false;
      },
    };
  },
};
