import type { KeywordModule } from '../keyword.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../types/packet.js';
import { requireValue } from '../lib/text.js';
import { bitsHold, FACT_TCP_FLAGS } from '../matcher.js';

export interface FlagsValue {
  /**
   * exact: these flags and no others (ignoring `ignore`); all (`+`): at least these;
   * any (`*`): at least one of these; not (`!`): none of these.
   */
  mode: 'exact' | 'all' | 'any' | 'not';
  /** TCP_* bits; 0 with mode exact is `flags:0` (no flag set). */
  flags: number;
  /** Bits left out of the comparison (the part after the comma). */
  ignore: number;
}

const BITS: ReadonlyMap<string, number> = new Map(Object.entries({
  F: TCP_FIN, S: TCP_SYN, R: TCP_RST, P: TCP_PSH, A: TCP_ACK, U: TCP_URG,
  C: TCP_CWR, E: TCP_ECE,
  // Snort's old names for the two reserved bits (now CWR and ECE).
  '1': TCP_CWR, '2': TCP_ECE,
}));
const ORDER: ReadonlyArray<[string, number]> = [
  ['F', TCP_FIN], ['S', TCP_SYN], ['R', TCP_RST], ['P', TCP_PSH], ['A', TCP_ACK], ['U', TCP_URG], ['C', TCP_CWR], ['E', TCP_ECE],
];
const MODES: ReadonlyMap<string, FlagsValue['mode']> = new Map([['+', 'all'], ['*', 'any'], ['!', 'not']]);
const HELP = 'use F S R P A U C E (or 1 2 for C E), 0 for none, with + (at least), * (any) or ! (none of)';

function letters(bits: number): string {
  let s = '';
  for (const [l, b] of ORDER) if (bits & b) s += l;
  return s;
}

/** `flags:[!|*|+]FSRPAUCE[,mask];` the TCP flags. */
export const flags: KeywordModule<FlagsValue> = {
  keyword: 'flags',
  category: 'non-payload',
  takesValue: 'required',
  singleUse: true,
  parse(raw, ctx) {
    const v = requireValue('flags', raw, ctx, 'flags:S,12;');
    if (v === undefined) return undefined;
    const comma = v.text.indexOf(',');
    const main = comma < 0 ? v.text : v.text.slice(0, comma).trimEnd();
    let mode: FlagsValue['mode'] = 'exact';
    let modeAt = -1;
    let bits = 0;
    let zero = false;
    for (let i = 0; i < main.length; i++) {
      const ch = main[i]!;
      const m = MODES.get(ch);
      if (m !== undefined) {
        if (modeAt >= 0) {
          ctx.error(`flags takes one modifier (+, * or !), found ${main[modeAt]} and ${ch}`, v.offset + i, 1);
          return undefined;
        }
        mode = m;
        modeAt = i;
        continue;
      }
      if (ch === ' ' || ch === '\t') continue;
      if (ch === '0') {
        zero = true;
        continue;
      }
      const b = BITS.get(ch.toUpperCase());
      if (b === undefined) {
        ctx.error(`unknown TCP flag '${ch}': ${HELP}`, v.offset + i, 1);
        return undefined;
      }
      bits |= b;
    }
    if (zero && (bits !== 0 || mode !== 'exact')) {
      ctx.error('flags:0 means no flag set and cannot be combined with flags or modifiers', v.offset, main.length);
      return undefined;
    }
    if (!zero && bits === 0) {
      ctx.error(`flags needs at least one flag: ${HELP}`, v.offset, Math.max(1, main.length));
      return undefined;
    }
    let ignore = 0;
    if (comma >= 0) {
      const mask = v.text.slice(comma + 1);
      const at = v.offset + comma + 1;
      for (let i = 0; i < mask.length; i++) {
        const ch = mask[i]!;
        if (ch === ' ' || ch === '\t') continue;
        const b = BITS.get(ch.toUpperCase());
        if (b === undefined) {
          ctx.error(`unknown TCP flag '${ch}' in the ignore mask: use F S R P A U C E (or 1 2)`, at + i, 1);
          return undefined;
        }
        ignore |= b;
      }
      if (ignore === 0) {
        ctx.error('empty ignore mask after the comma: write flags:S,12; or drop the comma', at - 1, 1);
        return undefined;
      }
    }
    return { mode, flags: bits, ignore };
  },
  print(v) {
    const prefix = v.mode === 'all' ? '+' : v.mode === 'any' ? '*' : v.mode === 'not' ? '!' : '';
    return prefix + (v.flags === 0 ? '0' : letters(v.flags)) + (v.ignore !== 0 ? ',' + letters(v.ignore) : '');
  },
  condition: (v) => ({ needs: FACT_TCP_FLAGS, decidedBy: FACT_TCP_FLAGS, test: (h) => bitsHold(v.mode, v.flags, h.tcpFlags, v.ignore) }),
};
