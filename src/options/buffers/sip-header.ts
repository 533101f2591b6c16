import { stickyBuffer } from '../lib/factories.js';

/** `sip_header;`: the payload keywords after it inspect the SIP headers (Snort). */
export const sipHeaderBuffer = stickyBuffer('sip_header', 'sip_header');
