import { STREAM_EVENTS } from '../../types/decode-events.js';
import type { KeywordModule } from '../keyword.js';
import { requireValue } from '../lib/text.js';
import { FACT_DECODE_EVENTS, type HeaderFacts } from '../matcher.js';

export interface StreamEventValue {
  /** Suricata's name without "stream." (written with it or without). */
  name: string;
}

const RAISED: ReadonlySet<string> = new Set(STREAM_EVENTS);
const NAME_RE = /^[a-z0-9_]+$/;

/**
 * `stream-event:reassembly_seq_gap;` the TCP stream stage raised this event on the packet
 * (Suricata's names, as in its stream-events.rules). An event kanshi never raises makes the rule
 * skipped with the reason, not silently unmatched.
 */
export const streamEvent: KeywordModule<StreamEventValue> = {
  keyword: 'stream-event',
  category: 'non-payload',
  takesValue: 'required',
  parse(raw, ctx) {
    const v = requireValue('stream-event', raw, ctx, 'stream-event:reassembly_seq_gap;');
    if (v === undefined) return undefined;
    const name = v.text.startsWith('stream.') ? v.text.slice('stream.'.length) : v.text;
    if (!NAME_RE.test(name)) {
      ctx.error(`stream-event needs an event name such as reassembly_seq_gap, not "${v.text}"`, v.offset, Math.max(1, v.text.length));
      return undefined;
    }
    return { name };
  },
  print: (v) => v.name,
  condition: (v) => {
    const event = `stream.${v.name}`;
    return { needs: FACT_DECODE_EVENTS, decidedBy: FACT_DECODE_EVENTS, test: (h: HeaderFacts) => h.decodeEvents.includes(event) };
  },
  unevaluatedValue: (v) => (RAISED.has(v.name) ? undefined : `kanshi does not raise the stream event ${v.name}`),
};
