import { STREAM_EVENTS } from '../../types/decode-events.js';
import { packetEventKeyword } from '../lib/packet-event.js';

export type { PacketEventValue as StreamEventValue } from '../lib/packet-event.js';

const RAISED: ReadonlySet<string> = new Set(STREAM_EVENTS);

/**
 * `stream-event:reassembly_seq_gap;` the TCP stream stage raised this event on the packet
 * (Suricata's names, as in its stream-events.rules; `stream.` in front is accepted).
 */
export const streamEvent = packetEventKeyword({
  keyword: 'stream-event',
  prefix: 'stream.',
  example: 'reassembly_seq_gap',
  nameRe: /^[a-z0-9_]+$/,
  onPacket: (name) => `stream.${name}`,
  unraised: (name) => (RAISED.has(name) ? undefined : `kanshi does not raise the stream event ${name}`),
});
