import { stickyBuffer } from '../lib/factories.js';

/** `sip.stat_code;`: the payload keywords after it inspect the SIP status code (Suricata); recognised, not evaluated yet. */
export const sipStatCodeBuffer = stickyBuffer('sip.stat_code', 'sip.stat_code', { evaluable: false });
