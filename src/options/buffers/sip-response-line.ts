import { stickyBuffer } from '../lib/factories.js';

/** `sip.response_line;`: the payload keywords after it inspect the SIP response line (Suricata). */
export const sipResponseLineBuffer = stickyBuffer('sip.response_line', 'sip.response_line');
