import { stickyBuffer } from '../lib/factories.js';

/** `sip.to;`: the payload keywords after it inspect the SIP To header (Suricata); recognised, not evaluated yet. */
export const sipToBuffer = stickyBuffer('sip.to', 'sip.to', { evaluable: false });
