import { stickyBuffer } from '../lib/factories.js';

/** `ja3.string;` (also written `ja3_string;`): the payload keywords after it inspect the JA3 client fingerprint string. */
export const ja3StringBuffer = stickyBuffer('ja3.string', 'ja3.string', { aliases: ['ja3_string'] });
