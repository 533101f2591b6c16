import { stickyBuffer } from '../lib/factories.js';

/** `sip.to;`: the payload keywords after it inspect the SIP To header (Suricata). */
export const sipToBuffer = stickyBuffer('sip.to', 'sip.to');
