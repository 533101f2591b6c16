import { stickyBuffer } from '../lib/factories.js';

/** `sip.method;`: the payload keywords after it inspect the SIP request method (Suricata). */
export const sipMethodBuffer = stickyBuffer('sip.method', 'sip.method');
