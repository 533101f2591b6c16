import { transform } from '../lib/factories.js';

/** `to_sha256;` transform: replaces the buffer by its SHA-256 digest. */
export const toSha256 = transform('to_sha256', { evaluable: false });
