import { stickyBuffer } from '../lib/factories.js';

/** `ja3.hash;` (also written `ja3_hash;`): the payload keywords after it inspect the JA3 client fingerprint hash. */
export const ja3HashBuffer = stickyBuffer('ja3.hash', 'ja3.hash', { aliases: ['ja3_hash'] });
