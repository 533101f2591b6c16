import { createHash } from 'node:crypto';
import { transform } from '../lib/factories.js';

/** `to_sha256;` transform: the buffer's SHA256 digest (raw bytes: match it with |hex| content). */
export const toSha256 = transform('to_sha256', {
  apply: (buf) => new Uint8Array(createHash('sha256').update(buf).digest()),
});
