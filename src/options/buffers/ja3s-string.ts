import { stickyBuffer } from '../lib/factories.js';

/** `ja3s.string;` (also written `ja3s_string;`): the payload keywords after it inspect the JA3S server fingerprint string. */
export const ja3sStringBuffer = stickyBuffer('ja3s.string', 'ja3s.string', { aliases: ['ja3s_string'] });
