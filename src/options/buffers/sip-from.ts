import { stickyBuffer } from '../lib/factories.js';

/** `sip.from;`: the payload keywords after it inspect the SIP From header (Suricata). */
export const sipFromBuffer = stickyBuffer('sip.from', 'sip.from');
