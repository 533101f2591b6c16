import type { KeywordModule } from '../keyword.js';
import { FACT_DECODE_EVENTS, type HeaderFacts } from '../matcher.js';
import { requireValue } from './text.js';

export interface PacketEventValue {
  /** Suricata's event name, without the keyword's prefix (written with it or without). */
  name: string;
}

export interface PacketEventSpec {
  keyword: string;
  /** The prefix Suricata's rules may write before the name (`decoder.`, `stream.`). */
  prefix: string;
  /** An event to name in examples. */
  example: string;
  nameRe: RegExp;
  /** How the event is spelled in DecodedPacket.events. */
  onPacket(name: string): string;
  /** Why the event can never match here (kanshi does not raise it), or undefined. */
  unraised(name: string): string | undefined;
}

/**
 * A keyword testing that the packet raised an event (decode-event, stream-event): a condition on
 * the packet's events, tabulated by the header index on "raised any event" (see
 * HeaderMatcher.decidedBy), and skipped with the reason when it names an event kanshi never raises.
 */
export function packetEventKeyword(spec: PacketEventSpec): KeywordModule<PacketEventValue> {
  return {
    keyword: spec.keyword,
    category: 'non-payload',
    takesValue: 'required',
    parse(raw, ctx) {
      const v = requireValue(spec.keyword, raw, ctx, `${spec.keyword}:${spec.example};`);
      if (v === undefined) return undefined;
      const name = v.text.startsWith(spec.prefix) ? v.text.slice(spec.prefix.length) : v.text;
      if (!spec.nameRe.test(name)) {
        ctx.error(`${spec.keyword} needs an event name such as ${spec.example}, not "${v.text}"`, v.offset, Math.max(1, v.text.length));
        return undefined;
      }
      return { name };
    },
    print: (v) => v.name,
    condition: (v) => {
      const event = spec.onPacket(v.name);
      return { needs: FACT_DECODE_EVENTS, decidedBy: FACT_DECODE_EVENTS, test: (h: HeaderFacts) => h.decodeEvents.includes(event) };
    },
    unevaluatedValue: (v) => spec.unraised(v.name),
  };
}
