import { transform } from '../lib/factories.js';

/** `to_sha1;` transform: replaces the buffer by its SHA-1 digest. */
export const toSha1 = transform('to_sha1', { evaluable: false });
