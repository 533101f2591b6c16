import { unevaluated } from '../lib/factories.js';

/** `decode-event:ipv4.trunc_pkt;` a packet decoder event (Suricata); recognised, not evaluated yet. */
export const decodeEvent = unevaluated('decode-event', 'non-payload', 'required', 'decode-event:ipv4.trunc_pkt;');
