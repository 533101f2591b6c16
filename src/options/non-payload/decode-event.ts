import { DECODE_EVENTS, DEFRAG_EVENTS, FRAME_ONLY_EVENTS } from '../../types/decode-events.js';
import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';
import { FACT_DECODE_EVENTS, type HeaderFacts } from '../matcher.js';

export interface DecodeEventValue {
  /** Suricata's name without "decoder." (written with it or without). */
  name: string;
}

const RAISED: ReadonlySet<string> = new Set<string>([...DECODE_EVENTS, ...DEFRAG_EVENTS]);
const NAME_RE = /^[a-z0-9_]+(?:\.[a-z0-9_.]+)?$/;

/**
 * `decode-event:ipv4.trunc_pkt;` the packet raised this decoder event (Suricata's names, as in
 * its decoder-events.rules; `decoder.` in front is accepted). An event kanshi never raises on a
 * packet makes the rule skipped with the reason, not silently unmatched.
 */
export const decodeEvent: KeywordModule<DecodeEventValue> = {
  keyword: 'decode-event',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('decode-event', raw, ctx, 'decode-event:ipv4.trunc_pkt;');
    if (v === undefined) return undefined;
    const name = v.text.startsWith('decoder.') ? v.text.slice('decoder.'.length) : v.text;
    if (!NAME_RE.test(name)) {
      ctx.error(`decode-event needs an event name such as ipv4.trunc_pkt, not "${v.text}"`, v.offset, Math.max(1, v.text.length));
      return undefined;
    }
    return { name };
  },
  print: (v) => v.name,
  condition: (v) => ({
    needs: FACT_DECODE_EVENTS,
    decidedBy: FACT_DECODE_EVENTS,
    test: (h: HeaderFacts) => h.decodeEvents.includes(v.name),
  }),
  unevaluatedValue(v) {
    if (!RAISED.has(v.name)) return `kanshi does not raise the decoder event ${v.name}`;
    if (FRAME_ONLY_EVENTS.has(v.name)) return `kanshi drops frames with the decoder event ${v.name} before they become packets`;
    return undefined;
  },
};
