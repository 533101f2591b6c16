import { stickyBuffer } from '../lib/factories.js';

/** `sip.via;`: the payload keywords after it inspect the SIP Via header (Suricata). */
export const sipViaBuffer = stickyBuffer('sip.via', 'sip.via');
