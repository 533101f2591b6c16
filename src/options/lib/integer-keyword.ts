import type { KeywordCategory, KeywordContext, KeywordModule } from '../keyword.js';
import { parseDecimal, requireValue } from './text.js';

/** A keyword whose value is one plain decimal integer within bounds (sid, rev, gid, priority). */
export function integerKeyword(
  keyword: string,
  category: KeywordCategory,
  min: number,
  max: number,
  example: number,
  opts: { singleUse?: boolean; hint?: string } = {},
): KeywordModule<number> {
  return {
    keyword,
    category,
    takesValue: 'required',
    singleUse: opts.singleUse,
    parse(raw: string | null, ctx: KeywordContext): number | undefined {
      const v = requireValue(keyword, raw, ctx, `${keyword}:${example};`);
      if (v === undefined) return undefined;
      const n = parseDecimal(v.text);
      if (n === undefined) {
        ctx.error(`${keyword} must be a whole number from ${min} to ${max}, not "${v.text}": write ${keyword}:${example};${opts.hint ? ' ' + opts.hint : ''}`, v.offset, v.text.length);
        return undefined;
      }
      if (n < min || n > max) {
        ctx.error(`${keyword} ${n} is out of range: use ${min} to ${max}${opts.hint ? ' (' + opts.hint + ')' : ''}`, v.offset, v.text.length);
        return undefined;
      }
      return n;
    },
    print(value: number): string {
      return String(value);
    },
  };
}
