import { stickyBuffer } from '../lib/factories.js';

/** `sip_body;`: the payload keywords after it inspect the SIP message body (Snort). */
export const sipBodyBuffer = stickyBuffer('sip_body', 'sip_body');
