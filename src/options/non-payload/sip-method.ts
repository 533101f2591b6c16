import type { KeywordModule } from '../keyword.js';
import { FACT_SIP, type HeaderFacts } from '../matcher.js';
import { requireValue, splitList } from '../lib/text.js';

export interface SipMethodValue {
  /** Upper-case method names, each with its `!`. */
  items: Array<{ method: string; negated: boolean }>;
}

/**
 * `sip_method:invite,cancel;` `sip_method:!invite;` the SIP message's method (a response's: the
 * one its CSeq names), as Snort reads it: matches when it is one of the plain names or not one
 * of the negated ones. Any method token is accepted (SIP allows extension methods); case does
 * not matter.
 */
export const sipMethod: KeywordModule<SipMethodValue> = {
  keyword: 'sip_method',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    if (requireValue('sip_method', raw, ctx, 'sip_method:invite,cancel;') === undefined || raw === null) return undefined;
    const items: SipMethodValue['items'] = [];
    for (const p of splitList(raw)) {
      const m = /^(!?)\s*([A-Za-z][A-Za-z_-]*)$/.exec(p.text);
      if (m === null) {
        ctx.error(`sip_method takes method names (with ! to negate), not "${p.text}": write e.g. invite or !bye`, p.offset, Math.max(1, p.text.length));
        return undefined;
      }
      const method = m[2]!.toUpperCase();
      if (items.some((it) => it.method === method)) {
        ctx.error(`sip_method names ${m[2]} twice: remove one`, p.offset, p.text.length);
        return undefined;
      }
      items.push({ method, negated: m[1] === '!' });
    }
    return { items };
  },
  print: (v) => v.items.map((it) => (it.negated ? '!' : '') + it.method.toLowerCase()).join(','),
  condition(v) {
    const items = v.items;
    return {
      needs: FACT_SIP,
      test: (h: HeaderFacts): boolean => {
        const m = h.sipMethod;
        if (m === null) return false;
        for (let i = 0; i < items.length; i++) if ((items[i]!.method === m) !== items[i]!.negated) return true;
        return false;
      },
    };
  },
};
