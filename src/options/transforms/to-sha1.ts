import { createHash } from 'node:crypto';
import { transform } from '../lib/factories.js';

/** `to_sha1;` transform: the buffer's SHA1 digest (raw bytes: match it with |hex| content). */
export const toSha1 = transform('to_sha1', {
  apply: (buf) => new Uint8Array(createHash('sha1').update(buf).digest()),
});
