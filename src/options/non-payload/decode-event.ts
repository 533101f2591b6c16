import { DECODE_EVENTS, DEFRAG_EVENTS, FRAME_ONLY_EVENTS } from '../../types/decode-events.js';
import { packetEventKeyword } from '../lib/packet-event.js';

export type { PacketEventValue as DecodeEventValue } from '../lib/packet-event.js';

const RAISED: ReadonlySet<string> = new Set<string>([...DECODE_EVENTS, ...DEFRAG_EVENTS]);

/**
 * `decode-event:ipv4.trunc_pkt;` the packet raised this decoder event (Suricata's names, as in
 * its decoder-events.rules; `decoder.` in front is accepted), the defragmenter's included.
 */
export const decodeEvent = packetEventKeyword({
  keyword: 'decode-event',
  prefix: 'decoder.',
  example: 'ipv4.trunc_pkt',
  nameRe: /^[a-z0-9_]+(?:\.[a-z0-9_.]+)?$/,
  onPacket: (name) => name,
  unraised(name) {
    if (!RAISED.has(name)) return `kanshi does not raise the decoder event ${name}`;
    if (FRAME_ONLY_EVENTS.has(name)) return `kanshi drops frames with the decoder event ${name} before they become packets`;
    return undefined;
  },
});
