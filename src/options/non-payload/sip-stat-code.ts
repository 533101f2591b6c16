import type { KeywordModule } from '../keyword.js';
import { FACT_SIP, type HeaderFacts } from '../matcher.js';
import { requireValue, splitList } from '../lib/text.js';

export interface SipStatCodeValue {
  /** Codes of 100-999, or classes 1-9 (a single digit: any code of that hundred). */
  codes: number[];
}

/**
 * `sip_stat_code:200,180;` `sip_stat_code:4;` a SIP response's status code is one of these, a
 * single digit standing for its whole class (4: 400-499), as Snort reads it. Requests never
 * match.
 */
export const sipStatCode: KeywordModule<SipStatCodeValue> = {
  keyword: 'sip_stat_code',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    if (requireValue('sip_stat_code', raw, ctx, 'sip_stat_code:200; or sip_stat_code:4; for 4xx') === undefined || raw === null) return undefined;
    const codes: number[] = [];
    for (const p of splitList(raw)) {
      if (!/^(?:[1-9]|[1-9][0-9]{2})$/.test(p.text)) {
        ctx.error(`sip_stat_code takes codes of 100-999 or a class digit 1-9, not "${p.text}"`, p.offset, Math.max(1, p.text.length));
        return undefined;
      }
      codes.push(Number(p.text));
    }
    return { codes };
  },
  print: (v) => v.codes.join(','),
  condition(v) {
    const codes = v.codes;
    return {
      needs: FACT_SIP,
      test: (h: HeaderFacts): boolean => {
        const s = h.sipStatus;
        if (s === 0) return false;
        for (let i = 0; i < codes.length; i++) {
          const c = codes[i]!;
          if (c < 10 ? Math.floor(s / 100) === c : s === c) return true;
        }
        return false;
      },
    };
  },
};
