import { stickyBuffer } from '../lib/factories.js';

/** `ja3s.hash;` (also written `ja3s_hash;`): the payload keywords after it inspect the JA3S server fingerprint hash. */
export const ja3sHashBuffer = stickyBuffer('ja3s.hash', 'ja3s.hash', { aliases: ['ja3s_hash'] });
