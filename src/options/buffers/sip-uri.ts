import { stickyBuffer } from '../lib/factories.js';

/** `sip.uri;`: the payload keywords after it inspect the SIP request URI (Suricata). */
export const sipUriBuffer = stickyBuffer('sip.uri', 'sip.uri');
