import { stickyBuffer } from '../lib/factories.js';

/** `sip.stat_code;`: the payload keywords after it inspect the SIP status code (Suricata). */
export const sipStatCodeBuffer = stickyBuffer('sip.stat_code', 'sip.stat_code');
