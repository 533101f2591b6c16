import { stickyBuffer } from '../lib/factories.js';

/** `ja4.hash;`: the payload keywords after it inspect the JA4 client fingerprint (Suricata); recognised, not evaluated yet. */
export const ja4HashBuffer = stickyBuffer('ja4.hash', 'ja4.hash', { evaluable: false });
