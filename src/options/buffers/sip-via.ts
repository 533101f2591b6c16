import { stickyBuffer } from '../lib/factories.js';

/** `sip.via;`: the payload keywords after it inspect the SIP Via header (Suricata); recognised, not evaluated yet. */
export const sipViaBuffer = stickyBuffer('sip.via', 'sip.via', { evaluable: false });
