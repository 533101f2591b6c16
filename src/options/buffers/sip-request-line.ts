import { stickyBuffer } from '../lib/factories.js';

/** `sip.request_line;`: the payload keywords after it inspect the SIP request line (Suricata). */
export const sipRequestLineBuffer = stickyBuffer('sip.request_line', 'sip.request_line');
