import { stickyBuffer } from '../lib/factories.js';

/** `sip.uri;`: the payload keywords after it inspect the SIP request URI (Suricata); recognised, not evaluated yet. */
export const sipUriBuffer = stickyBuffer('sip.uri', 'sip.uri', { evaluable: false });
