import { stickyBuffer } from '../lib/factories.js';

/** `sip.protocol;`: the payload keywords after it inspect the SIP protocol field (Suricata). */
export const sipProtocolBuffer = stickyBuffer('sip.protocol', 'sip.protocol');
