import { stickyBuffer } from '../lib/factories.js';

/**
 * `ja4.hash;`: the payload keywords after it inspect the JA4 fingerprint of the ClientHello,
 * e.g. `t13d1516h2_8daaf6152771_e5627efa2ab1` (Suricata's buffer: the whole fingerprint).
 */
export const ja4HashBuffer = stickyBuffer('ja4.hash', 'ja4.hash');
