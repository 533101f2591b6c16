import { createHash } from 'node:crypto';
import { transform } from '../lib/factories.js';

/** `to_md5;` transform: the buffer's MD5 digest (raw bytes: match it with |hex| content). */
export const toMd5 = transform('to_md5', {
  apply: (buf) => new Uint8Array(createHash('md5').update(buf).digest()),
});
