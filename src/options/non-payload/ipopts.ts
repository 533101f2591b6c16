import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';
import { FACT_IP_OPTS, type HeaderMatcher } from '../matcher.js';

export interface IpoptsValue {
  name: string;
  /** IPv4 option type code(s) that satisfy it; empty for `any` (any option present). */
  codes: number[];
}

const OPTIONS: ReadonlyMap<string, number[]> = new Map(Object.entries({
  eol: [0], nop: [1], rr: [7], ts: [68], sec: [130], esec: [133], lsrr: [131], lsrre: [131], ssrr: [137], satid: [136], any: [],
}));

/** `ipopts:rr|eol|nop|ts|sec|esec|lsrr|lsrre|ssrr|satid|any;` an IPv4 option is present. */
export const ipopts: KeywordModule<IpoptsValue> = {
  keyword: 'ipopts',
  category: 'non-payload',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('ipopts', raw, ctx, 'ipopts:rr;');
    if (v === undefined) return undefined;
    const codes = OPTIONS.get(v.text.toLowerCase());
    if (codes === undefined) {
      ctx.error(`unknown IP option "${v.text}": use ${[...OPTIONS.keys()].join(', ')}`, v.offset, v.text.length);
      return undefined;
    }
    return { name: v.text.toLowerCase(), codes: [...codes] };
  },
  print: (v) => v.name,
  condition(v): HeaderMatcher {
    const codes = v.codes;
    if (codes.length === 0) return { needs: FACT_IP_OPTS, test: (h) => h.ipOptions.length > 0 };
    return { needs: FACT_IP_OPTS, test: (h) => h.ipOptions.some((c) => codes.includes(c)) };
  },
};
